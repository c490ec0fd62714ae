/// Which sockets of a site a backend's command is for: a user's (its user room), one socket by ID, or a room's.
public enum SocketTarget: Sendable, Hashable {
    /// The sockets in the user room `userRoomPrefix + id`.
    case user(String)
    /// The socket with this ID.
    case socket(String)
    /// The sockets in this room.
    case room(String)
}
