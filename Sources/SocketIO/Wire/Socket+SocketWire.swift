extension Socket {
    /// A packet from the client of another wire (see ``SocketWire``): an event (with an ack ID when the client waits
    /// for an answer) or an ack of an event the server sent. Other packets are ignored. Called on ``eventLoop``.
    public func receive(_ packet: SocketPacket) {
        eventLoop.preconditionInEventLoop()
        switch packet {
        case .event(_, let ackID, let name, let arguments):
            handleEvent(name: name, arguments: arguments, ackID: ackID)
        case .ack(_, let ackID, let arguments):
            handleAck(id: ackID, arguments: arguments)
        case .connect, .disconnect, .connectError:
            break
        }
    }

    /// The connection of another wire ended: the socket leaves its namespace for `reason`. Called on ``eventLoop``.
    public func connectionEnded(_ reason: DisconnectReason) {
        eventLoop.preconditionInEventLoop()
        didDisconnect(reason)
    }
}
