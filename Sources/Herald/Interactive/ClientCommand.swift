public import SocketIO

/// A client's request to its site, read from the event's first argument: `_subscribe` / `_unsubscribe`
/// `{"room"}`, `_publish` `{"room", "event", "args"}`, `_rpc` `{"method", "params"}`.
public enum ClientCommand: Sendable, Hashable {
    /// Join `room` (as a subscription), if the site's hook allows.
    case subscribe(room: String)
    /// Leave a subscription.
    case unsubscribe(room: String)
    /// Send an event to a room, if the site's hook allows.
    case publish(ClientPublication)
    /// Call `method` of the site's backend with `params`.
    case rpc(method: String, params: JSONValue)

    /// Names of the client events, Herald's own (`_`) so they never meet a site's events.
    public enum Event: String, Sendable, CaseIterable {
        case subscribe = "_subscribe"
        case unsubscribe = "_unsubscribe"
        case publish = "_publish"
        case rpc = "_rpc"

        /// The `command` label of the event's metric: its name without the `_`.
        var metricName: String { String(rawValue.dropFirst()) }
    }

    /// Longest room, event or method name accepted, in UTF-8 bytes.
    public static let maxNameBytes = 256

    /// Reads the command of `event` from the event's arguments.
    public static func parse(_ event: Event, arguments: [JSONValue]) -> Result<ClientCommand, CommandFailure> {
        guard let fields = arguments.first, case .object = fields else {
            return .failure(CommandFailure(.invalidRequest, "\(event.rawValue) needs an object as its first argument"))
        }
        switch event {
        case .subscribe: return name(fields["room"], "room").map { .subscribe(room: $0) }
        case .unsubscribe: return name(fields["room"], "room").map { .unsubscribe(room: $0) }
        case .publish: return publication(fields).map(ClientCommand.publish)
        case .rpc: return name(fields["method"], "method").map { .rpc(method: $0, params: fields["params"] ?? .null) }
        }
    }

    private static func publication(_ fields: JSONValue) -> Result<ClientPublication, CommandFailure> {
        let room: String
        let event: String
        switch (name(fields["room"], "room"), name(fields["event"], "event")) {
        case (.failure(let failure), _), (_, .failure(let failure)): return .failure(failure)
        case (.success(let namedRoom), .success(let namedEvent)): (room, event) = (namedRoom, namedEvent)
        }
        if HeraldEvent.isReserved(event) {
            return .failure(CommandFailure(.invalidRequest, "event \"\(event)\" is reserved"))
        }
        return .success(ClientPublication(room: room, event: event, arguments: HeraldEvent.arguments(fields["args"])))
    }

    private static func name(_ value: JSONValue?, _ field: String) -> Result<String, CommandFailure> {
        guard let text = value?.stringValue, !text.isEmpty else {
            return .failure(CommandFailure(.invalidRequest, "\"\(field)\" must be a non-empty string"))
        }
        guard text.utf8.count <= maxNameBytes else {
            return .failure(CommandFailure(.invalidRequest, "\"\(field)\" is longer than \(maxNameBytes) bytes"))
        }
        return .success(text)
    }
}

/// What a client asks to publish: `event` with `arguments` to `room`.
public struct ClientPublication: Sendable, Hashable {
    /// The room it is for.
    public var room: String
    /// The event its recipients get.
    public var event: String
    /// The event's arguments.
    public var arguments: [JSONValue]
}
