/// A site's `presence:`: who is in each room, listed by `GET /presence` and announced to the room's members with
/// `_join` and `_leave`. Sites without it pay nothing for presence.
public struct SitePresence: Sendable, Hashable {
    /// The default grace: a device that comes back within it was never gone for the room.
    public static let defaultGraceSeconds = 5
    /// How long a device may be away (its last socket gone) before its `_leave` is announced; a reconnect within it
    /// announces neither `_leave` nor `_join`. 0 announces the leave at once.
    public var graceSeconds: Int

    /// Presence with `graceSeconds` of grace (5 by default).
    public init(graceSeconds: Int = SitePresence.defaultGraceSeconds) {
        self.graceSeconds = graceSeconds
    }

    /// The grace as a duration.
    public var grace: Duration { .seconds(graceSeconds) }
}
