import EngineIO

extension Namespace {
    /// The outcome of an admission whose wire closed before the middlewares were done.
    public static let closedDuringAdmission = ConnectError("Connection closed during admission")

    /// Admits a client of another wire (see ``SocketWire``) to this namespace: the middlewares run as for a Socket.IO
    /// client; when they accept and the wire is still open, the socket joins its rooms and the connection handlers
    /// run. `completion` runs on the wire's event loop — before the connection handlers, so the wire knows its socket
    /// when they emit — with the socket, or with the refusal (``closedDuringAdmission`` when the wire closed before the
    /// middlewares were done). Such a socket has no connection state recovery.
    public func connect(
        _ handshake: SocketHandshake,
        over wire: any SocketWire,
        completion: @escaping @Sendable (Result<Socket, ConnectError>) -> Void
    ) {
        let socket = Socket(id: SessionID.generate(), pid: nil, session: nil, namespace: self, wire: wire, handshake: handshake)
        let admit: @Sendable () -> Void = { [self] in
            self.admit(socket) { [self] result in
                switch result {
                case .success where wire.isOpen:
                    completion(.success(socket))
                    socket.didConnect()
                    connected(socket)
                case .success:
                    socket.didDisconnect(.transportClose)
                    completion(.failure(Self.closedDuringAdmission))
                case .failure(let error):
                    socket.didDisconnect(.serverNamespaceDisconnect)
                    completion(.failure(error))
                }
            }
        }
        if wire.eventLoop.inEventLoop {
            admit()
        } else {
            wire.eventLoop.execute(admit)
        }
    }
}
