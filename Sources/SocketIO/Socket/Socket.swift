public import EngineIO
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
    public var eventLoop: any EventLoop { wire.eventLoop }
    /// Transport in use (`polling`, `websocket`, or another wire's name such as `sse`); read on `eventLoop`.
    public var transport: String { wire.transportName }
    /// Socket.IO protocol revision the client speaks (v5 for clients of other wires).
    public var protocolVersion: SocketIOProtocolVersion { client?.protocolVersion ?? .v5 }

    /// The private session ID a client presents to recover this socket (`auth.pid`), when the namespace has
    /// connection state recovery; read on `eventLoop`.
    public private(set) var pid: String?
    /// Whether this socket took back a session its client lost (Socket.IO's `socket.recovered`); read on `eventLoop`.
    public private(set) var recovered = false
    /// The session the client asked to take back and the server found, when the socket was created: middlewares may
    /// use its rooms. The client has it back only if ``recovered`` ends up true.
    public let recoveredSession: RecoverableSession?

    /// The connection the socket speaks through: Socket.IO over Engine.IO, or another client protocol's wire.
    public let wire: any SocketWire
    /// The wire when it is Socket.IO over Engine.IO, kept apart so broadcasts take the direct path.
    let client: Client?
    /// Which messages the socket is sent compressed, if its client agreed to permessage-deflate: the namespace's
    /// setting when the socket was created.
    public let messageCompression: MessageCompression?
    private let userData = NIOLockedValueBox<(any Sendable)?>(nil)
    private var state = State.connecting
    private var joinedRooms: Set<String> = []
    private var handlers: [String: EventHandler] = [:]
    private var disconnectHandlers: [@Sendable (Socket, DisconnectReason) -> Void] = []
    private var pendingAcks = PendingAcks()
    /// The sweep that fails acks past their deadline, cancelled when the socket leaves.
    private var ackSweep: Scheduled<Void>?
    private var nextAckID = 0
    /// Broadcasts that arrived while the socket waited for the events it missed; nil otherwise.
    private var heldBack: [PreparedSocketPacket]?
    /// The offset of the last recorded event the client was sent (with the event or an offset marker).
    private var clientOffset: RecoveryOffset?

    private enum State {
        /// Middlewares are running; joins are remembered and applied on connect.
        case connecting
        case connected
        case disconnected
    }

    init(id: String, pid: String?, session: RecoverableSession?, namespace: Namespace, wire: any SocketWire, handshake: SocketHandshake) {
        self.id = id
        self.pid = pid
        self.recoveredSession = session
        self.namespace = namespace
        self.wire = wire
        self.client = wire as? Client
        self.messageCompression = namespace.messageCompression
        self.handshake = handshake
        if let session {
            joinedRooms = session.rooms
        }
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

    /// Whether the adapter lists the socket in its rooms: once connected, or while it waits for missed events.
    private var isInAdapter: Bool { state == .connected || heldBack != nil }

    /// Most broadcasts held back while a recovering socket waits for the events it missed; beyond it the connection
    /// is closed (its client reconnects), so a slow history read cannot grow memory without bound.
    static let maxHeldBack = 10_000

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
            if socket.isInAdapter, !added.isEmpty {
                socket.namespace.adapter.add(socket, to: added)
                socket.trackSession()
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
            if socket.joinedRooms.remove(room) != nil, socket.isInAdapter {
                socket.namespace.adapter.remove(socket, from: room)
                socket.trackSession()
            }
        }
    }

    // MARK: Emitting

    /// Sends `event` with `arguments` to this client.
    ///
    /// On a namespace with connection state recovery the client records the last argument of every event without an
    /// ack as its offset, so the offset is appended here too: the client's offset stays one the server gave.
    public func emit(_ event: String, _ arguments: [JSONValue] = []) {
        onLoop { socket in
            guard socket.state == .connected else { return }
            var arguments = arguments
            if let offset = socket.offsetForClient() {
                arguments.append(.string(offset.description))
            }
            socket.wire.send(.event(namespace: socket.namespace.name, ackID: nil, name: event, arguments: arguments), of: socket)
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
            if let sweepAt = socket.pendingAcks.add(id, deadline: socket.eventLoop.now + timeout, handler: handler) {
                socket.scheduleAckSweep(at: sweepAt)
            }
            socket.wire.send(.event(namespace: socket.namespace.name, ackID: id, name: event, arguments: arguments), of: socket)
        }
    }

    /// Sends `event` and waits for the client's ack.
    public func emitWithAck(_ event: String, _ arguments: [JSONValue] = [], timeout: TimeAmount) async throws -> [JSONValue] {
        try await withCheckedThrowingContinuation { continuation in
            emit(event, arguments, timeout: timeout) { continuation.resume(with: $0) }
        }
    }

    /// Sends `event` without an ack, carrying only the client's offset, when the offset moved since the client was
    /// last sent one. A client records offsets only from events without an ack: this keeps its offset current while it
    /// receives only events with acks, so a recovery does not start from far behind.
    public func emitOffsetMarker(_ event: String) {
        onLoop { socket in
            guard socket.state == .connected, let sent = socket.clientOffset, let offset = socket.offsetForClient(), sent < offset
            else { return }
            let marker = SocketPacket.event(
                namespace: socket.namespace.name,
                ackID: nil,
                name: event,
                arguments: [.string(offset.description)]
            )
            socket.wire.send(marker, of: socket)
        }
    }

    /// The offset to give the client: the newest of the last one it was sent and the last recorded event delivered on
    /// this loop (every event up to that one that was for this socket was handed to it). Nil without recovery.
    private func offsetForClient() -> RecoveryOffset? {
        guard pid != nil, let sent = clientOffset else { return nil }
        if let delivered = namespace.adapter.deliveredOffset(on: eventLoop), sent < delivered {
            clientOffset = delivered
        }
        return clientOffset
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
                socket.wire.close()
            } else {
                socket.wire.send(.disconnect(namespace: socket.namespace.name), of: socket)
                socket.wire.socketLeft(socket)
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

    /// Joins the socket's rooms while it waits for the events it missed; broadcasts are held back until
    /// ``finishRecovery(missed:)``.
    func beginRecovery() {
        joinedRooms.insert(id)
        heldBack = []
        namespace.adapter.add(self, to: Array(joinedRooms))
    }

    /// Writes the events the client missed and sets the client's offset to what the history had reached; without
    /// `missed` the client starts from `start`, and a client whose session could not be taken back gets `newPID`.
    func finishRecovery(missed: MissedEvents?, start: RecoveryOffset?, newPID: String?) {
        if let missed {
            recovered = true
            for event in missed.events {
                client?.send(text: event.textWithOffset)
            }
            clientOffset = missed.through
        } else {
            clientOffset = start
            if let newPID { pid = newPID }
        }
    }

    /// Marks the socket connected after a recovery and delivers what was held back meanwhile.
    func didConnectAfterRecovery() {
        state = .connected
        trackSession()
        let held = heldBack ?? []
        heldBack = nil
        for packet in held {
            deliver(packet)
        }
    }

    /// Tells the adapter the session of this connected socket, with its rooms now.
    private func trackSession() {
        guard state == .connected, let pid else { return }
        namespace.adapter.track(RecoverableSession(sid: id, pid: pid, rooms: joinedRooms))
    }

    func didDisconnect(_ reason: DisconnectReason) {
        guard state != .disconnected else { return }
        let wasConnected = state == .connected
        let wasInRooms = wasConnected || heldBack != nil
        state = .disconnected
        heldBack = nil
        if wasInRooms {
            namespace.adapter.removeAll(self)
        }
        if wasConnected {
            namespace.forget(self)
            if let pid {
                if reason.isRecoverable {
                    namespace.adapter.persist(RecoverableSession(sid: id, pid: pid, rooms: joinedRooms))
                } else {
                    namespace.adapter.forgetSession(pid: pid)
                }
            }
        }
        ackSweep?.cancel()
        ackSweep = nil
        for handler in pendingAcks.removeAll() {
            handler(.failure(.disconnected))
        }
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
        pendingAcks.complete(id)?(.success(arguments))
    }

    /// Schedules the sweep that fails acks past their deadline at `deadline`, replacing a later one. Called on
    /// `eventLoop`.
    private func scheduleAckSweep(at deadline: NIODeadline) {
        ackSweep?.cancel()
        pendingAcks.sweepScheduled(at: deadline)
        ackSweep = eventLoop.scheduleTask(deadline: deadline) { [self] in
            ackSweep = nil
            let (expired, next) = pendingAcks.sweep(now: eventLoop.now)
            if let next { scheduleAckSweep(at: next) }
            for handler in expired { handler(.failure(.timeout)) }
        }
    }

    func sendAck(id: Int, arguments: [JSONValue]) {
        onLoop { socket in
            guard socket.state == .connected else { return }
            socket.wire.send(.ack(namespace: socket.namespace.name, ackID: id, arguments: arguments), of: socket)
        }
    }

    /// Writes a broadcast packet prepared once for all recipients; called on `eventLoop` by the adapter.
    func deliver(_ packet: PreparedSocketPacket) {
        if heldBack != nil {
            heldBack?.append(packet)
            if let count = heldBack?.count, count > Self.maxHeldBack {
                client?.session.close(reason: .transportError("too many broadcasts held back during recovery"))
            }
            return
        }
        guard state == .connected else { return }
        if let offset = packet.offset {
            if let clientOffset, offset <= clientOffset { return }
            clientOffset = offset
        }
        guard let client else {
            wire.deliver(PreparedBroadcast(packet), to: self)
            return
        }
        for part in packet.parts {
            client.session.send(prepared: part, compression: messageCompression)
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
