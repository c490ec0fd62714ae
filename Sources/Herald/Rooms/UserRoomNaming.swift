/// How a site names per-user rooms: every room starting with `userRoomPrefix` belongs to one user.
public struct UserRoomNaming: Sendable, Hashable {
    /// The site's `userRoomPrefix`, such as `user_` or `user`.
    public let prefix: String

    /// Creates the naming for `prefix`.
    public init(prefix: String) {
        self.prefix = prefix
    }

    /// The rooms that name user `userID`: `prefix + userID`, and `prefix_userID` when the prefix has no `_` of its
    /// own (``userID(of:)`` reads both as the same user).
    public func rooms(of userID: String) -> Set<String> {
        prefix.hasSuffix("_") ? [prefix + userID] : [prefix + userID, prefix + "_" + userID]
    }

    /// Whether `room` is a user room.
    public func isUserRoom(_ room: String) -> Bool {
        room.hasPrefix(prefix)
    }

    /// The user's ID, substituted for `:id` in `updateUserUrl`: what follows the prefix and the underscore that
    /// ends it (`user_42` → `42` with prefix `user_` or `user`).
    public func userID(of room: String) -> String? {
        guard isUserRoom(room) else { return nil }
        var rest = room.dropFirst(prefix.count)
        if !prefix.hasSuffix("_"), rest.first == "_" { rest = rest.dropFirst() }
        return rest.isEmpty ? nil : String(rest)
    }
}
