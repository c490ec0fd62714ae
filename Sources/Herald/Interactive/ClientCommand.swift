import SocketIO

/// A client's request to its site, read from the event's first argument: `_subscribe` / `_unsubscribe`
/// `{"room"}`, `_publish` `{"room", "event", "args"}`, `_rpc` `{"method", "params"}`.
enum ClientCommand: Sendable, Hashable {
    case subscribe(room: String)
    case unsubscribe(room: String)
    case publish(ClientPublication)
    case rpc(method: String, params: JSONValue)

    /// Names of the client events, Herald's own (`_`) so they never meet a site's events.
    enum Event: String, CaseIterable {
        case subscribe = "_subscribe"
        case unsubscribe = "_unsubscribe"
        case publish = "_publish"
        case rpc = "_rpc"

        /// The `command` label of the event's metric: its name without the `_`.
        var metricName: String { String(rawValue.dropFirst()) }
    }

    /// Longest room, event or method name accepted, in UTF-8 bytes.
    static let maxNameBytes = 256

    /// Reads the command of `event` from the event's arguments.
    static func parse(_ event: Event, arguments: [JSONValue]) -> Result<ClientCommand, CommandFailure> {
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
struct ClientPublication: Sendable, Hashable {
    var room: String
    var event: String
    var arguments: [JSONValue]
}
