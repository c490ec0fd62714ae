/// Engine.IO v4 and Socket.IO v5 over WebSocket: the client waits for the Engine.IO open packet, connects to the
/// namespace `/<site>`, answers Engine.IO pings, and acks every event that carries an ack ID.
enum SocketIODialect: WebSocketDialect {
    static func upgradeTarget(for identity: ClientIdentity) -> String {
        "/socket.io/?EIO=4&transport=websocket&" + identity.credentialsQuery
    }

    static func reaction(to message: UnsafeRawBufferPointer, identity: ClientIdentity) -> ClientReaction {
        switch InboundPacket(message) {
        case .open:
            return .reply(Array("40/\(identity.site),".utf8))
        case .ping:
            return .reply([UInt8(ascii: "3")])
        case .connected:
            return .joined
        case .connectError(let message):
            return .refused(message)
        case .disconnected:
            return .ended
        case .event(let name, let ackID, let stamps):
            let batch = name == "_batch"
            let counted = name == identity.event || (batch && !stamps.isEmpty)
            return .received(
                counted ? Delivery(stamps: stamps, batch: batch) : nil,
                ack: ackID.map { Array("43/\(identity.site),\($0)[]".utf8) }
            )
        case .other:
            return .none
        }
    }
}
