/// Turns the rooms of a `POST /send` into the rooms the message is broadcast to.
///
/// Without `userRoomPrefix` the rooms are used as given. With it, each shared room also reaches every user
/// room whose user belongs to it (matched case-insensitively), so users get the message on every device.
public struct RoomExpansion: Sendable {
    private let naming: UserRoomNaming?
    private let lookup: @Sendable (_ sharedRoom: String) -> Set<String>

    /// Creates the expansion for a site with `naming` (nil when the site has no user rooms); `lookup` lists the
    /// user rooms of a shared room.
    public init(naming: UserRoomNaming?, lookup: @escaping @Sendable (_ sharedRoom: String) -> Set<String>) {
        self.naming = naming
        self.lookup = lookup
    }

    /// The broadcast targets for `rooms`.
    public func targets(for rooms: [String]) -> Set<String> {
        var targets = Set(rooms)
        guard let naming else { return targets }
        for room in rooms where !naming.isUserRoom(room) {
            targets.formUnion(lookup(room))
        }
        return targets
    }
}
