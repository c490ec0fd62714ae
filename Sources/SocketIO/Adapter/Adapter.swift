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
}
