import Herald
import SocketIO

/// What clients and backends ask of sockets as JSON: a client's `_subscribe` / `_unsubscribe` / `_publish` / `_rpc`
/// argument, and the bodies of `POST /rpc` and `POST /disconnect`.
enum CommandFuzzing {
    private static let site = Site(name: "site", authentication: .tokens([:]), apiKey: "k", userRoomPrefix: "user_")

    /// The text as JSON, read as each client command and as each backend body: whatever is accepted names non-empty
    /// rooms, events and methods within the length bound, never a reserved event, and an RPC timeout in range.
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let value = try? JSONValue(parsing: String(decoding: input, as: UTF8.self)) else { return }
        for event in ClientCommand.Event.allCases {
            guard case .success(let command) = ClientCommand.parse(event, arguments: [value]) else { continue }
            switch command {
            case .subscribe(let room), .unsubscribe(let room): checkName(room)
            case .rpc(let method, _): checkName(method)
            case .publish(let publication):
                checkName(publication.room)
                checkName(publication.event)
                precondition(!HeraldEvent.isReserved(publication.event), "published a reserved event")
            }
        }
        if case .success(let rpc) = ControlRequestParser.rpc(value, site: site) {
            precondition(!rpc.event.isEmpty && !HeraldEvent.isReserved(rpc.event), "called a reserved event")
            let limit = Duration.milliseconds(ControlRequestParser.maxRPCTimeoutMilliseconds)
            precondition(rpc.timeout > .zero && rpc.timeout <= limit, "timeout out of range")
        }
        if case .success(let target) = ControlRequestParser.target(value, site: site) {
            switch target {
            case .user(let name), .socket(let name), .room(let name): precondition(!name.isEmpty, "an empty target")
            }
        }
    }

    private static func checkName(_ name: String) {
        precondition(!name.isEmpty && name.utf8.count <= ClientCommand.maxNameBytes, "a name out of bounds")
    }
}
