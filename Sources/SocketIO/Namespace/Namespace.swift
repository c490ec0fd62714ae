public import EngineIO
import NIOConcurrencyHelpers

/// Runs before a socket joins its namespace; throw ``ConnectError`` (or any error) to refuse it.
///
/// The socket may join rooms here; they take effect when it is admitted.
public typealias NamespaceMiddleware = @Sendable (Socket) async throws -> Void

/// A Socket.IO namespace: its middlewares, connection handlers, sockets and rooms.
public final class Namespace: Sendable {
    /// Namespace name, such as `/` or `/chat`.
    public let name: String
    /// Where rooms live and broadcasts go.
    public let adapter: any Adapter
    private let middlewares = NIOLockedValueBox<[NamespaceMiddleware]>([])
    private let connectionHandlers = NIOLockedValueBox<[@Sendable (Socket) -> Void]>([])
    private let sockets = NIOLockedValueBox<[String: Socket]>([:])
    private let socketsByPID = NIOLockedValueBox<[String: Socket]>([:])
    private let recoverySettings = NIOLockedValueBox<ConnectionStateRecovery?>(nil)
    private let compressionSettings = NIOLockedValueBox<MessageCompression?>(nil)

    init(name: String, adapter: any Adapter) {
        self.name = name
        self.adapter = adapter
    }

    /// Adds a middleware; middlewares run in order for each connecting socket.
    public func use(_ middleware: @escaping NamespaceMiddleware) {
        middlewares.withLockedValue { $0.append(middleware) }
    }

    /// Calls `handler` on the socket's event loop for each socket admitted to the namespace.
    public func onConnection(_ handler: @escaping @Sendable (Socket) -> Void) {
        connectionHandlers.withLockedValue { $0.append(handler) }
    }

    /// Sockets of this namespace connected to this process.
    public var localSockets: [Socket] {
        sockets.withLockedValue { Array($0.values) }
    }

    /// Number of sockets of this namespace connected to this process.
    public var localSocketCount: Int {
        sockets.withLockedValue { $0.count }
    }

    /// The connected socket with this ID on this process.
    public func socket(id: String) -> Socket? {
        sockets.withLockedValue { $0[id] }
    }

    /// A broadcast to every socket in `room`.
    public func to(_ room: String) -> BroadcastOperator {
        BroadcastOperator(namespace: self).to(room)
    }

    /// A broadcast to every socket in any of `rooms` (each socket once).
    public func to(_ rooms: some Sequence<String>) -> BroadcastOperator {
        BroadcastOperator(namespace: self).to(rooms)
    }

    /// A broadcast to every socket except those in `room`.
    public func except(_ room: String) -> BroadcastOperator {
        BroadcastOperator(namespace: self).except(room)
    }

    /// Sends `event` to every socket of the namespace.
    public func emit(_ event: String, _ arguments: [JSONValue] = []) {
        BroadcastOperator(namespace: self).emit(event, arguments)
    }

    /// Disconnects every socket of the namespace on this process.
    public func disconnectAll(reason: DisconnectReason = .serverNamespaceDisconnect) {
        for socket in localSockets {
            socket.disconnect()
        }
    }

    // MARK: Compression

    /// Which messages to this namespace's sockets are compressed where their client agreed to permessage-deflate; nil
    /// (the default) sends all as they are. Each socket takes the setting of the moment it connects.
    public var messageCompression: MessageCompression? {
        get { compressionSettings.withLockedValue { $0 } }
        set { compressionSettings.withLockedValue { $0 = newValue } }
    }

    // MARK: Connection state recovery

    /// The namespace's connection state recovery, or nil when it is off (the default).
    public var recovery: ConnectionStateRecovery? {
        recoverySettings.withLockedValue { $0 }
    }

    /// Turns connection state recovery on with `recovery`, changes its settings, or turns it off with nil.
    public func setRecovery(_ recovery: ConnectionStateRecovery?) {
        recoverySettings.withLockedValue { settings in
            settings = recovery
            adapter.setRecovery(recovery)
        }
    }

    /// The session a client asks to take back: a socket of this process still holding `pid` (its connection is
    /// half-open: the client would not come back otherwise) is disconnected at once, its session kept; then the
    /// adapter's kept session, if it is within its window.
    func sessionToRecover(pid: String) async -> RecoverableSession? {
        if let holder = socketsByPID.withLockedValue({ $0[pid] }) {
            try? await holder.eventLoop.submit { holder.client?.session.close(reason: .transportClose) }.get()
        }
        return await adapter.session(pid: pid)
    }

    // MARK: Admission (called by Client on the socket's event loop)

    /// Runs the middlewares, then reports the outcome on the socket's event loop.
    func admit(_ socket: Socket, completion: @escaping @Sendable (Result<Void, ConnectError>) -> Void) {
        let middlewares = self.middlewares.withLockedValue { $0 }
        guard !middlewares.isEmpty else {
            completion(.success(()))
            return
        }
        let eventLoop = socket.eventLoop
        Task {
            let result: Result<Void, ConnectError>
            do {
                for middleware in middlewares {
                    try await middleware(socket)
                }
                result = .success(())
            } catch let error as ConnectError {
                result = .failure(error)
            } catch {
                result = .failure(ConnectError("\(error)"))
            }
            eventLoop.execute { completion(result) }
        }
    }

    func connected(_ socket: Socket) {
        sockets.withLockedValue { $0[socket.id] = socket }
        if let pid = socket.pid {
            socketsByPID.withLockedValue { $0[pid] = socket }
        }
        for handler in connectionHandlers.withLockedValue({ $0 }) {
            handler(socket)
        }
    }

    func forget(_ socket: Socket) {
        sockets.withLockedValue { table in
            if table[socket.id] === socket { table[socket.id] = nil }
        }
        if let pid = socket.pid {
            socketsByPID.withLockedValue { table in
                if table[pid] === socket { table[pid] = nil }
            }
        }
    }
}
