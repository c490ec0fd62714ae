/// The room a socket joins when it subscribes to a room with `_subscribe`: `#herald/sub/<room>`, not the room itself.
///
/// On sites with user rooms, a message to a shared room reaches sockets with a device queue through their users'
/// queues (the users `authUrl` put in the room), never as a plain broadcast; a subscriber is in no such list, so it is
/// sent the message plainly through this room instead (``Delivery``). Being a room of its own, a subscription also
/// travels with the socket through connection state recovery, and a backend's `room` target finds its sockets.
public enum SubscriptionRoom {
    /// Names Herald keeps for itself; clients cannot subscribe to them.
    static let reservedPrefix = "#herald/"
    static let prefix = "#herald/sub/"

    /// The subscription room of `room`.
    public static func name(for room: String) -> String {
        prefix + room
    }

    /// The room a subscription room stands for; nil for any other room.
    public static func room(of name: String) -> String? {
        name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
    }
}
