public import SocketIO

/// Reads the JSON bodies of `POST /rpc` and `POST /disconnect` into commands, with a reason for people when a body
/// does not say what it needs.
public enum ControlRequestParser {
    /// `timeoutMs` of an RPC that names none.
    public static let defaultRPCTimeoutMilliseconds = 5_000
    /// Longest `timeoutMs` accepted.
    public static let maxRPCTimeoutMilliseconds = 60_000

    /// Reads `{"user"|"socket"|"room", "event", "args", "timeoutMs"}` for `site`.
    public static func rpc(_ body: JSONValue, site: Site) -> Result<BackendRPC, ControlRequestError> {
        let target: SocketTarget
        switch self.target(body, site: site) {
        case .failure(let error): return .failure(error)
        case .success(let parsed): target = parsed
        }
        guard let event = body["event"]?.stringValue, !event.isEmpty else {
            return .failure(ControlRequestError("\"event\" must be a non-empty string"))
        }
        guard !HeraldEvent.isReserved(event) else {
            return .failure(ControlRequestError("event \"\(event)\" is reserved"))
        }
        let arguments = HeraldEvent.arguments(body["args"])
        let milliseconds: Int
        switch body["timeoutMs"] {
        case nil: milliseconds = defaultRPCTimeoutMilliseconds
        case .int(let value)? where (1...Int64(maxRPCTimeoutMilliseconds)).contains(value): milliseconds = Int(value)
        default: return .failure(ControlRequestError("\"timeoutMs\" must be a whole number from 1 to \(maxRPCTimeoutMilliseconds)"))
        }
        return .success(
            BackendRPC(site: site.name, target: target, event: event, arguments: arguments, timeout: .milliseconds(milliseconds))
        )
    }

    /// Reads exactly one of `"user"`, `"socket"`, `"room"` (a user may be a number, named by its digits).
    public static func target(_ body: JSONValue, site: Site) -> Result<SocketTarget, ControlRequestError> {
        guard case .object(let fields) = body else {
            return .failure(ControlRequestError("the body must be a JSON object"))
        }
        let named = ["user", "socket", "room"].filter { fields[$0] != nil }
        guard named.count == 1, let key = named.first, let value = fields[key] else {
            return .failure(ControlRequestError("name exactly one of \"user\", \"socket\" or \"room\""))
        }
        let name: String
        switch value {
        case .string(let text) where !text.isEmpty: name = text
        case .int(let number) where key == "user": name = String(number)
        default: return .failure(ControlRequestError("\"\(key)\" must be a non-empty string"))
        }
        switch key {
        case "user":
            guard site.userRoomPrefix != nil else {
                return .failure(ControlRequestError("\"user\" needs the site's userRoomPrefix; name a room or a socket"))
            }
            return .success(.user(name))
        case "socket": return .success(.socket(name))
        default: return .success(.room(name))
        }
    }
}

/// Why a `POST /rpc` or `POST /disconnect` body was refused.
public struct ControlRequestError: Error, Sendable, Hashable {
    /// The reason, for people.
    public var reason: String

    /// Creates the error.
    public init(_ reason: String) {
        self.reason = reason
    }
}
