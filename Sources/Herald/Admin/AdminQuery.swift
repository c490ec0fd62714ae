/// What the admin API asks of every instance through the control exchange; each instance answers for its own
/// sockets with an ``AdminAnswer`` and the asker merges the answers.
public enum AdminQuery: Sendable, Hashable {
    /// Every site's sockets by transport and messages emitted.
    case sites
    /// A site's rooms with their member counts.
    case rooms(site: String)
    /// A room's sockets, at most `limit` of them.
    case sockets(site: String, room: String, limit: Int)
}

/// One instance's answer to an ``AdminQuery``.
public enum AdminAnswer: Sendable, Hashable {
    /// The sites there.
    case sites([SiteSummary])
    /// The site's rooms there (at most ``AdminLimits/maxRooms``, `truncated` when there were more); nil when the
    /// instance does not serve the site.
    case rooms([RoomSummary]?, truncated: Bool)
    /// The room's sockets there, oldest first (`truncated` when there were more than asked); nil when the instance
    /// does not serve the site.
    case sockets([SocketSummary]?, truncated: Bool)
}

/// The bounds of the admin API's answers, so a site with very many rooms or sockets cannot make one answer (or one
/// instance's reply through Redis) unbounded.
public enum AdminLimits {
    /// Most rooms one answer lists.
    public static let maxRooms = 1_000
    /// Most sockets one answer lists (the default of `?limit=`).
    public static let maxSockets = 1_000
}
