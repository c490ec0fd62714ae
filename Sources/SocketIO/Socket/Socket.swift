import EngineIO
import NIOConcurrencyHelpers
public import NIOCore

/// Handler for an event from the client: the socket, the arguments, and a responder when the client asked for an ack.
public typealias EventHandler = @Sendable (Socket, [JSONValue], AckResponder?) -> Void

/// One client's membership of one namespace.
///
/// State is owned by the connection's event loop (`eventLoop`); handlers run there. Methods may be called from
/// any thread and hop to the loop when needed.
public final class Socket: @unchecked Sendable {
    /// Socket ID, sent to v5 clients in the CONNECT answer; also the name of the socket's own room.
    public let id: String
    /// The namespace this socket belongs to.
    public let namespace: Namespace
    /// What the client presented when it connected.
    public let handshake: SocketHandshake
    /// The event loop that owns this socket.
    public var eventLoop: any EventLoop { client.session.eventLoop }
    /// Transport in use (`polling` or `websocket`); read on `eventLoop`.
    public var transport: String { client.session.transportName }
    /// Socket.IO protocol revision the client speaks.
    public var protocolVersion: SocketIOProtocolVersion { client.protocolVersion }

    let client: Client
    private let userData = NIOLockedValueBox<(any Sendable)?>(nil)
    private var state = State.connecting
    private var joinedRooms: Set<String> = []
    private var handlers: [String: EventHandler] = [:]
    private var disconnectHandlers: [@Sendable (Socket, DisconnectReason) -> Void] = []
    private var pendingAcks: [Int: PendingAck] = [:]
    private var nextAckID = 0

    private enum State {
        /// Middlewares are running; joins are remembered and applied on connect.
        case connecting
        case connected
        case disconnected
    }

    init(id: String, namespace: Namespace, client: Client, handshake: SocketHandshake) {
        self.id = id
        self.namespace = namespace
        self.client = client
        self.handshake = handshake
    }

    /// Application data attached to the socket (for example, who the user is), readable from any thread.
    public var data: (any Sendable)? {
        get { userData.withLockedValue { $0 } }
        set { userData.withLockedValue { $0 = newValue } }
    }

    /// Rooms this socket is in; read on `eventLoop`.
    public var rooms: Set<String> {
        eventLoop.preconditionInEventLoop()
        return joinedRooms
    }

    /// Whether the socket is connected to its namespace; read on `eventLoop`.
    public var isConnected: Bool {
        eventLoop.preconditionInEventLoop()
        return state == .connected
    }

    // MARK: Handlers

    /// Calls `handler` for each `event` from the client.
    public func on(_ event: String, _ handler: @escaping EventHandler) {
        onLoop { $0.handlers[event] = handler }
    }

    /// Calls `handler` once when the socket leaves the namespace.
    ///
    /// A handler added by a middleware also runs when the admission ends without a connection (a later middleware
    /// refuses the socket, or the client goes away first), so what the middleware reserved is always released.
    public func onDisconnect(_ handler: @escaping @Sendable (Socket, DisconnectReason) -> Void) {
        onLoop { $0.disconnectHandlers.append(handler) }
    }

    // MARK: Rooms

    /// Adds the socket to `rooms`.
    public func join(_ rooms: some Sequence<String> & Sendable) {
        onLoop { socket in
            let added = rooms.filter { socket.joinedRooms.insert($0).inserted }
            if socket.state == .connected, !added.isEmpty {
                socket.namespace.adapter.add(socket, to: added)
            }
        }
    }

    /// Adds the socket to `room`.
    public func join(_ room: String) {
        join(CollectionOfOne(room))
    }

    /// Removes the socket from `room`.
    public func leave(_ room: String) {
        onLoop { socket in
            if socket.joinedRooms.remove(room) != nil, socket.state == .connected {
                socket.namespace.adapter.remove(socket, from: room)
            }
        }
    }

    // MARK: Emitting

    /// Sends `event` with `arguments` to this client.
    public func emit(_ event: String, _ arguments: [JSONValue] = []) {
        onLoop { socket in
            guard socket.state == .connected else { return }
            socket.client.send(.event(namespace: socket.namespace.name, ackID: nil, name: event, arguments: arguments))
        }
    }

    /// Sends `event` and asks the client for an ack; `handler` gets the ack's arguments, or an error after `timeout`.
    public func emit(
        _ event: String,
        _ arguments: [JSONValue] = [],
        timeout: TimeAmount,
        ack handler: @escaping AckHandler
    ) {
        onLoop { socket in
            guard socket.state == .connected else {
                handler(.failure(.disconnected))
                return
            }
            let id = socket.nextAckID
            socket.nextAckID += 1
            let timer = socket.eventLoop.scheduleTask(in: timeout) { [socket] in
                if let pending = socket.pendingAcks.removeValue(forKey: id) {
                    pending.handler(.failure(.timeout))
                }
            }
            socket.pendingAcks[id] = PendingAck(handler: handler, timeout: timer)
            socket.client.send(.event(namespace: socket.namespace.name, ackID: id, name: event, arguments: arguments))
        }
    }

    /// Sends `event` and waits for the client's ack.
    public func emitWithAck(_ event: String, _ arguments: [JSONValue] = [], timeout: TimeAmount) async throws -> [JSONValue] {
        try await withCheckedThrowingContinuation { continuation in
            emit(event, arguments, timeout: timeout) { continuation.resume(with: $0) }
        }
    }

    /// A broadcast to `room` that leaves this socket out.
    public func to(_ room: String) -> BroadcastOperator {
        namespace.to(room).except(id)
    }

    /// Leaves the namespace; with `closeConnection` the whole connection (every namespace) is closed.
    public func disconnect(closeConnection: Bool = false) {
        onLoop { socket in
            guard socket.state != .disconnected else { return }
            if closeConnection {
                socket.client.session.close()
            } else {
                socket.client.send(.disconnect(namespace: socket.namespace.name))
                socket.client.remove(socket)
                socket.didDisconnect(.serverNamespaceDisconnect)
            }
        }
    }

    // MARK: Lifecycle (on the event loop)

    func didConnect() {
        state = .connected
        joinedRooms.insert(id)
        namespace.adapter.add(self, to: Array(joinedRooms))
    }

    func didDisconnect(_ reason: DisconnectReason) {
        guard state != .disconnected else { return }
        let wasConnected = state == .connected
        state = .disconnected
        if wasConnected {
            namespace.adapter.removeAll(self)
            namespace.forget(self)
        }
        for (_, pending) in pendingAcks {
            pending.timeout.cancel()
            pending.handler(.failure(.disconnected))
        }
        pendingAcks.removeAll()
        handlers.removeAll()
        let handlers = disconnectHandlers
        disconnectHandlers.removeAll()
        for handler in handlers { handler(self, reason) }
    }

    func handleEvent(name: String, arguments: [JSONValue], ackID: Int?) {
        guard state == .connected, let handler = handlers[name] else { return }
        handler(self, arguments, ackID.map { AckResponder(socket: self, id: $0) })
    }

    func handleAck(id: Int, arguments: [JSONValue]) {
        guard let pending = pendingAcks.removeValue(forKey: id) else { return }
        pending.timeout.cancel()
        pending.handler(.success(arguments))
    }

    func sendAck(id: Int, arguments: [JSONValue]) {
        onLoop { socket in
            guard socket.state == .connected else { return }
            socket.client.send(.ack(namespace: socket.namespace.name, ackID: id, arguments: arguments))
        }
    }

    /// Writes a broadcast packet prepared once for all recipients; called on `eventLoop` by the adapter.
    func deliver(_ packet: PreparedSocketPacket) {
        guard state == .connected else { return }
        for part in packet.parts {
            client.session.send(prepared: part)
        }
    }

    private func onLoop(_ body: @escaping @Sendable (Socket) -> Void) {
        if eventLoop.inEventLoop {
            body(self)
        } else {
            eventLoop.execute { body(self) }
        }
    }
}

extension Socket: Hashable {
    public static func == (lhs: Socket, rhs: Socket) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
