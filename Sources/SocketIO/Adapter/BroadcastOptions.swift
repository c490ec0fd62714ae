/// Which sockets a broadcast reaches.
public struct BroadcastOptions: Sendable, Hashable {
    /// Sockets in any of these rooms; every socket of the namespace when empty.
    public var rooms: Set<String>
    /// Minus the sockets in any of these rooms (a socket ID names that socket's own room).
    public var except: Set<String>

    /// Creates the selection.
    public init(rooms: Set<String> = [], except: Set<String> = []) {
        self.rooms = rooms
        self.except = except
    }
}
