/// Herald's plain WebSocket JSON protocol at `/ws/<site>` (docs/protocols.md): credentials in the query, joined at
/// the `settings` message, events counted like Socket.IO bench events, every message with an `id` acknowledged with
/// `{"type":"ack","id":"…"}` and a batch with `{"type":"ack","ids":[…]}`. WebSocket pings are answered by the
/// WebSocket layer.
enum PlainJSONDialect: WebSocketDialect {
    static func upgradeTarget(for identity: ClientIdentity) -> String {
        "/ws/" + percentEncoded(identity.site) + "?" + identity.credentialsQuery
    }

    static func reaction(to message: UnsafeRawBufferPointer, identity: ClientIdentity) -> ClientReaction {
        switch PlainMessage(message) {
        case .settings:
            return .joined
        case .event(let name, let id, let stamps):
            return .received(
                name == identity.event ? Delivery(stamps: stamps, batch: false) : nil,
                ack: id.map { Array(#"{"type":"ack","id":""#.utf8) + Array($0.utf8) + Array(#""}"#.utf8) }
            )
        case .batch(let ids, let stamps):
            let quoted = ids.map { "\"\($0)\"" }.joined(separator: ",")
            return .received(
                stamps.isEmpty ? nil : Delivery(stamps: stamps, batch: true),
                ack: ids.isEmpty ? nil : Array(#"{"type":"ack","ids":[\#(quoted)]}"#.utf8)
            )
        case .error(let reason):
            return .refused(reason)
        case .other:
            return .none
        }
    }
}
