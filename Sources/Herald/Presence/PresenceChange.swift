/// A user coming or going, reported to the site's `updateUserUrl`.
public enum PresenceChange: Sendable, Hashable {
    case connected
    case disconnected

    /// The field of the `user` object the Node service sent for this change.
    var field: String {
        switch self {
        case .connected: "last_connected"
        case .disconnected: "last_disconnected"
        }
    }
}
