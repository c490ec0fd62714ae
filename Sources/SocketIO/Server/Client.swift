import EngineIO
import NIOCore

/// The Socket.IO side of one Engine.IO session: decodes packets and routes them to the socket of each namespace.
///
/// Confined to the session's event loop (hence `@unchecked Sendable`: closures that capture it run there).
final class Client: EngineSessionDelegate, @unchecked Sendable {
    let session: EngineSession
    let protocolVersion: SocketIOProtocolVersion
    private let server: SocketIOServer
    private var decoder: SocketPacketDecoder
    private var sockets: [String: Socket] = [:]
    private var connecting: Set<String> = []
    private var connectTimer: Scheduled<Void>?
    private var isClosed = false

    init(server: SocketIOServer, session: EngineSession) {
        self.server = server
        self.session = session
        self.protocolVersion = session.version == .v3 ? .v4 : .v5
        self.decoder = SocketPacketDecoder(maxAttachments: server.configuration.maxAttachments)
    }

    /// Starts the client: v4 clients are joined to `/` at once (as Socket.IO 2.x did); v5 clients must connect
    /// to a namespace within `connectTimeout`.
    func start() {
        switch protocolVersion {
        case .v4:
            connect(rawNamespace: "/", auth: nil)
        case .v5:
            connectTimer = session.eventLoop.scheduleTask(in: server.configuration.connectTimeout) { [self] in
                if sockets.isEmpty, connecting.isEmpty { session.close() }
            }
        }
    }

    // MARK: EngineSessionDelegate

    func engineSession(_ session: EngineSession, didReceive message: EngineMessage) {
        do {
            let packet: SocketPacket?
            switch message {
            case .text(let text): packet = try decoder.decode(text: text)
            case .binary(let data): packet = try decoder.decode(binary: data)
            }
            if let packet { dispatch(packet) }
        } catch {
            session.close(reason: .parseError(error.description))
        }
    }

    func engineSession(_ session: EngineSession, didCloseWith reason: EngineCloseReason) {
        isClosed = true
        connectTimer?.cancel()
        let reason = DisconnectReason(reason)
        let sockets = self.sockets.values
        self.sockets.removeAll()
        for socket in sockets {
            socket.didDisconnect(reason)
        }
    }

    // MARK: Routing

    private func dispatch(_ packet: SocketPacket) {
        switch packet {
        case .connect(let namespace, let payload):
            connect(rawNamespace: namespace, auth: payload)
        case .disconnect(let namespace):
            if let socket = sockets.removeValue(forKey: namespace) {
                socket.didDisconnect(.clientNamespaceDisconnect)
            }
        case .event(let namespace, let ackID, let name, let arguments):
            sockets[namespace]?.handleEvent(name: name, arguments: arguments, ackID: ackID)
        case .ack(let namespace, let ackID, let arguments):
            sockets[namespace]?.handleAck(id: ackID, arguments: arguments)
        case .connectError:
            session.close(reason: .parseError("CONNECT_ERROR is not sent by clients"))
        }
    }

    private func connect(rawNamespace: String, auth: JSONValue?) {
        let name: String
        var namespaceQuery: [String: String] = [:]
        if let mark = rawNamespace.firstIndex(of: "?") {
            name = String(rawNamespace[..<mark])
            namespaceQuery = QueryString.parse(rawNamespace[rawNamespace.index(after: mark)...])
        } else {
            name = rawNamespace
        }
        guard sockets[name] == nil, !connecting.contains(name) else { return }
        guard let namespace = server.namespace(named: name) else {
            send(.connectError(namespace: name, payload: ConnectError("Invalid namespace").payload(for: protocolVersion)))
            return
        }
        let handshake = SocketHandshake(
            engine: session.handshake,
            namespaceQuery: namespaceQuery,
            auth: auth?.objectValue ?? [:]
        )
        let socket = Socket(id: SessionID.generate(), namespace: namespace, client: self, handshake: handshake)
        connecting.insert(name)
        namespace.admit(socket) { [self] result in
            connecting.remove(name)
            guard !isClosed else {
                socket.didDisconnect(.transportClose)
                return
            }
            switch result {
            case .success:
                sockets[name] = socket
                connectTimer?.cancel()
                let payload: JSONValue? = protocolVersion == .v5 ? .object(["sid": .string(socket.id)]) : nil
                send(.connect(namespace: name, payload: payload))
                socket.didConnect()
                namespace.connected(socket)
            case .failure(let error):
                socket.didDisconnect(.serverNamespaceDisconnect)
                send(.connectError(namespace: name, payload: error.payload(for: protocolVersion)))
            }
        }
    }

    /// Forgets a socket the server disconnected from its namespace.
    func remove(_ socket: Socket) {
        if sockets[socket.namespace.name] === socket {
            sockets[socket.namespace.name] = nil
        }
    }

    // MARK: Sending

    /// Encodes and sends one packet to this client.
    func send(_ packet: SocketPacket) {
        let encoded = SocketPacketEncoder.encode(packet)
        session.send(.text(encoded.text))
        for attachment in encoded.attachments {
            session.send(.binary(attachment))
        }
    }
}
