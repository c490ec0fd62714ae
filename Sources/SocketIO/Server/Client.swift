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
    private(set) var isClosed = false

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
        var auth = auth?.objectValue ?? [:]
        let request = namespace.recovery == nil || protocolVersion == .v4 ? nil : RecoveryRequest(taking: &auth)
        let handshake = SocketHandshake(engine: session.handshake, namespaceQuery: namespaceQuery, auth: auth)
        connecting.insert(name)
        guard let request else {
            admit(to: namespace, handshake: handshake, session: nil, request: nil)
            return
        }
        let eventLoop = session.eventLoop
        Task { [self] in
            let session = await namespace.sessionToRecover(pid: request.pid)
            eventLoop.execute { self.admit(to: namespace, handshake: handshake, session: session, request: request) }
        }
    }

    /// Creates the socket (with the recovered session's ID and rooms, if any), runs the middlewares and connects it.
    private func admit(to namespace: Namespace, handshake: SocketHandshake, session: RecoverableSession?, request: RecoveryRequest?) {
        let name = namespace.name
        let pid = session?.pid ?? (namespace.recovery == nil || protocolVersion == .v4 ? nil : SessionID.generate())
        let socket = Socket(
            id: session?.sid ?? SessionID.generate(),
            pid: pid,
            session: session,
            namespace: namespace,
            wire: self,
            handshake: handshake
        )
        namespace.admit(socket) { [self] result in
            guard !isClosed else {
                connecting.remove(name)
                socket.didDisconnect(.transportClose)
                return
            }
            switch result {
            case .success:
                if socket.pid != nil {
                    connectWithOffsets(socket, recovering: session.flatMap { session in request.map { (session, $0.offset) } })
                } else {
                    connected(socket)
                }
            case .failure(let error):
                connecting.remove(name)
                socket.didDisconnect(.serverNamespaceDisconnect)
                send(.connectError(namespace: name, payload: error.payload(for: protocolVersion)))
            }
        }
    }

    /// Sends the CONNECT answer (`{"sid", "pid"}` for v5 clients) and lists the socket in its rooms.
    private func connected(_ socket: Socket) {
        let name = socket.namespace.name
        connecting.remove(name)
        sockets[name] = socket
        connectTimer?.cancel()
        send(.connect(namespace: name, payload: connectPayload(of: socket)))
        socket.didConnect()
        socket.namespace.connected(socket)
    }

    /// Connects a socket of a namespace with connection state recovery. It joins its rooms holding broadcasts back,
    /// then learns where the history stands: a returning client gets the events it missed (written before the CONNECT
    /// answer), a new one starts from the latest offset. The held-back broadcasts that are newer follow the answer, so
    /// the client gets each event once, in order.
    private func connectWithOffsets(_ socket: Socket, recovering: (session: RecoverableSession, offset: RecoveryOffset)?) {
        socket.beginRecovery()
        let namespace = socket.namespace
        let rooms = socket.rooms
        Task { [self] in
            let missed: MissedEvents? =
                if let recovering {
                    await namespace.adapter.takeMissedEvents(pid: recovering.session.pid, after: recovering.offset, rooms: rooms)
                } else {
                    nil
                }
            let start = missed == nil ? await namespace.adapter.currentOffset() : nil
            socket.eventLoop.execute { [self] in
                let name = namespace.name
                connecting.remove(name)
                guard !isClosed else {
                    socket.didDisconnect(.transportClose)
                    return
                }
                sockets[name] = socket
                connectTimer?.cancel()
                socket.finishRecovery(missed: missed, start: start, newPID: recovering == nil ? nil : SessionID.generate())
                send(.connect(namespace: name, payload: connectPayload(of: socket)))
                socket.didConnectAfterRecovery()
                namespace.connected(socket)
            }
        }
    }

    private func connectPayload(of socket: Socket) -> JSONValue? {
        guard protocolVersion == .v5 else { return nil }
        var payload: [String: JSONValue] = ["sid": .string(socket.id)]
        if let pid = socket.pid { payload["pid"] = .string(pid) }
        return .object(payload)
    }

    /// Forgets a socket the server disconnected from its namespace.
    func remove(_ socket: Socket) {
        if sockets[socket.namespace.name] === socket {
            sockets[socket.namespace.name] = nil
        }
    }

    // MARK: Sending

    /// Sends a packet already encoded as text (a recorded event with its offset).
    func send(text: String) {
        session.send(.text(text))
    }

    /// Encodes and sends one packet to this client.
    func send(_ packet: SocketPacket, compression: MessageCompression? = nil) {
        let encoded = SocketPacketEncoder.encode(packet)
        session.send(.text(encoded.text), compression: compression)
        for attachment in encoded.attachments {
            session.send(.binary(attachment), compression: compression)
        }
    }
}
