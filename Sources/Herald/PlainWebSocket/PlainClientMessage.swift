public import SocketIO

/// A message a plain WebSocket JSON client sends (`/ws/<site>`, see docs/protocols.md).
public enum PlainClientMessage: Sendable, Hashable {
    /// `{"type":"auth","token":"…","deviceId":"…"}`: the credentials, for a client that could not put them in the
    /// URL; only as the first message of a connection without a `token` query parameter.
    case authenticate(token: String, deviceID: String?)
    /// `{"type":"ack","id":"…"}` or `{"type":"ack","ids":["…",…]}`: the client has the messages with these IDs.
    case acknowledge([FlakeID])
    /// `{"type":"ping"}`: answered `{"type":"pong"}`, for clients (browsers) that cannot send WebSocket pings.
    case ping
    /// `{"type":"subscribe"|"unsubscribe"|"publish"|"rpc"|"refresh", …, "ref": N}`: a request to the site, the
    /// Socket.IO client's `_subscribe` … `_refresh` event (docs/interactive.md): `fields` is the message without `type`
    /// and `ref`; with a `ref` the client is answered `{"type":"reply","ref":N,"data":…}`.
    case request(event: String, fields: JSONValue, ref: Int?)
    /// `{"type":"reply","ref":N,"data":…}`: the client's answer to a `call` the server sent with that `ref`.
    case reply(ref: Int, data: JSONValue)

    /// The Socket.IO event each request type stands for.
    static let requestEvents: [String: String] = [
        "subscribe": "_subscribe", "unsubscribe": "_unsubscribe", "publish": "_publish", "rpc": "_rpc", "refresh": "_refresh",
    ]
    /// Largest `ref` accepted.
    public static let maxRef = Int(Int32.max)

    /// Why a client message is refused; the connection is closed with ``PlainCloseReason/invalidMessage``.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, as the client is told.
        public let description: String

        init(_ description: String) {
            self.description = description
        }
    }

    /// Reads one client message; at most `maxIDs` IDs may be acknowledged at once.
    public static func parse(_ text: String, maxIDs: Int) throws(Invalid) -> PlainClientMessage {
        guard let value = try? JSONValue(parsing: text), let object = value.objectValue else {
            throw Invalid("a message is a JSON object")
        }
        guard let type = object["type"]?.stringValue else { throw Invalid("a message has a string \"type\"") }
        switch type {
        case "auth":
            guard let token = object["token"]?.stringValue, !token.isEmpty else {
                throw Invalid("\"auth\" has a non-empty string \"token\"")
            }
            let deviceID = try optionalString(object["deviceId"], named: "deviceId")
            return .authenticate(token: token, deviceID: deviceID.flatMap { $0.isEmpty ? nil : $0 })
        case "ack":
            return .acknowledge(try acknowledgedIDs(object, maxIDs: maxIDs))
        case "ping":
            return .ping
        case "reply":
            guard let ref = try ref(object["ref"]) else { throw Invalid("\"reply\" has a \"ref\"") }
            return .reply(ref: ref, data: object["data"] ?? .null)
        case let type where requestEvents[type] != nil:
            var fields = object
            fields["type"] = nil
            fields["ref"] = nil
            return .request(event: requestEvents[type] ?? type, fields: .object(fields), ref: try ref(object["ref"]))
        default:
            throw Invalid("unknown message type \"\(type.prefix(64))\"")
        }
    }

    private static func acknowledgedIDs(_ object: [String: JSONValue], maxIDs: Int) throws(Invalid) -> [FlakeID] {
        switch (object["id"], object["ids"]) {
        case (let id?, nil):
            return [try flakeID(id)]
        case (nil, .array(let ids)?):
            guard ids.count <= maxIDs else { throw Invalid("an ack names at most \(maxIDs) IDs") }
            var parsed: [FlakeID] = []
            parsed.reserveCapacity(ids.count)
            for id in ids {
                parsed.append(try flakeID(id))
            }
            return parsed
        default:
            throw Invalid("\"ack\" has either \"id\" or an array \"ids\"")
        }
    }

    /// An ID as the server sent it (a decimal string); a JSON integer is taken too.
    private static func flakeID(_ value: JSONValue) throws(Invalid) -> FlakeID {
        switch value {
        case .string(let text):
            if let id = FlakeID(text) { return id }
        case .int(let number) where number >= 0:
            return FlakeID(rawValue: UInt64(number))
        default:
            break
        }
        throw Invalid("a message ID is a decimal string")
    }

    /// A `ref`: a whole number from 0 to ``maxRef``; nil when absent.
    private static func ref(_ value: JSONValue?) throws(Invalid) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .int(let number)? where (0...Int64(maxRef)).contains(number): return Int(number)
        default: throw Invalid("a \"ref\" is a whole number from 0 to \(maxRef)")
        }
    }

    private static func optionalString(_ value: JSONValue?, named name: String) throws(Invalid) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw Invalid("\"\(name)\" is a string")
        }
    }
}
