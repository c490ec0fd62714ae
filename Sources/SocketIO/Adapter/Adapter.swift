public import NIOCore

/// Where a namespace's rooms live and how its broadcasts reach sockets.
///
/// The in-process ``LocalAdapter`` serves one server; an adapter over a message bus (Redis) can make several
/// servers act as one without any change to namespaces or sockets.
public protocol Adapter: Sendable {
    /// Records that `socket` joined `rooms`. Called on the socket's event loop.
    func add(_ socket: Socket, to rooms: [String])
    /// Records that `socket` left `room`. Called on the socket's event loop.
    func remove(_ socket: Socket, from room: String)
    /// Forgets `socket` in every room. Called on the socket's event loop.
    func removeAll(_ socket: Socket)
    /// Delivers `packet` to every socket selected by `options`, each exactly once.
    func broadcast(_ packet: SocketPacket, options: BroadcastOptions)
    /// Like ``broadcast(_:options:)``, but returns once the packet was handed on: the sockets on this process have
    /// been handed it, and an adapter spanning several servers has handed it to its transport (for Redis, the
    /// `PUBLISH` was acknowledged). A sender that waits for it cannot queue broadcasts faster than they are written,
    /// and an API that answers its caller after it can promise the message left for every server. There is no
    /// default: an adapter that returned before handing the packet on would silently break that promise.
    func broadcastAndWait(_ packet: SocketPacket, options: BroadcastOptions) async
    /// Sockets on this process that are in any of `rooms` (all sockets when empty).
    func localSockets(in rooms: Set<String>) async -> [Socket]
    /// Names of the rooms with at least one socket on this process.
    func localRooms() async -> Set<String>

    // MARK: Connection state recovery

    /// Turns connection state recovery on for the namespace (nil turns it off): from then on every event broadcast
    /// without an ack or binary attachments is recorded with an offset, appended as its last argument, and reaches
    /// each socket in offset order.
    func setRecovery(_ recovery: ConnectionStateRecovery?)
    /// Records the session of a connected socket (again when its rooms change), so that its client can take it back
    /// even if this server dies; an adapter whose history dies with the server does nothing.
    func track(_ session: RecoverableSession)
    /// Keeps the session of a socket that lost its connection for the recovery window.
    func persist(_ session: RecoverableSession)
    /// Forgets the session of a socket that left for good (its client disconnected, or the server disconnected it).
    func forgetSession(pid: String)
    /// The session kept for `pid`, if it is within its window.
    func session(pid: String) async -> RecoverableSession?
    /// Removes the session of `pid` and returns the events recorded after `offset` for a socket in `rooms`; nil when
    /// the session is gone or some event after `offset` may be missing.
    func takeMissedEvents(pid: String, after offset: RecoveryOffset, rooms: Set<String>) async -> MissedEvents?
    /// The offset of the last recorded event: a socket that joins its rooms before asking starts from it.
    func currentOffset() async -> RecoveryOffset
    /// The offset of the last recorded event handed to the sockets on `eventLoop`; called on that loop.
    func deliveredOffset(on eventLoop: any EventLoop) -> RecoveryOffset?
}
