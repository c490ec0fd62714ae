extension SocketIOServer {
    /// Closes the connection of every socket that speaks through another wire than Socket.IO's (``SocketWire``), as
    /// a shutdown does; Engine.IO sessions are closed by their engine.
    public func closeOtherWires() {
        for name in namespaceNames {
            for socket in namespace(named: name)?.localSockets ?? [] where socket.client == nil {
                let wire = socket.wire
                wire.eventLoop.execute { wire.close() }
            }
        }
    }
}
