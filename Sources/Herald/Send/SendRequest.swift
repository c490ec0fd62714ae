public import SocketIO

/// One `POST /send`: emit `event` with `arguments` to every client in `rooms` of a site.
public struct SendRequest: Sendable, Hashable {
    /// Target rooms; on sites with `userRoomPrefix`, shared rooms expand to their users' rooms.
    public var rooms: [String]
    /// Event name the clients receive.
    public var event: String
    /// Event arguments, in order.
    public var arguments: [JSONValue]
    /// Whether an out-of-order ack should clear the event's queue and ask the client to resync.
    public var resync: Bool

    /// Creates a request.
    public init(rooms: [String], event: String, arguments: [JSONValue] = [], resync: Bool = false) {
        self.rooms = rooms
        self.event = event
        self.arguments = arguments
        self.resync = resync
    }
}
