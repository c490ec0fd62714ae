import SocketIO

/// What a socket counts for in room presence, on sites with `presence`: its users (from its user rooms) with its
/// device, and its rooms — the shared rooms it was granted and the rooms it subscribed to (`#herald/sub/<room>`,
/// reported as `<room>`); never user rooms, its own socket ID room or Herald's other rooms. Sockets without a user
/// room (public-channel clients) are not counted.
struct SocketPresence: Sendable {
    let tracker: PresenceTracker

    /// Reports a connected socket, and its departure once it disconnects. Runs on the socket's loop.
    func connected(_ socket: Socket, client: SiteClient, site: Site) {
        guard let presence = site.presence, let prefix = site.userRoomPrefix else { return }
        let naming = UserRoomNaming(prefix: prefix)
        let users = Set(client.userRooms.compactMap(naming.userID(of:)))
        guard !users.isEmpty else { return }
        let device = client.credentials.deviceID ?? socket.id
        let key = PresenceSocketKey(site: site.name, socketID: socket.id)
        let rooms = Set(socket.rooms.compactMap { Self.presenceRoom(of: $0, socketID: socket.id, naming: naming) })
        tracker.arrived(
            key,
            members: users.sorted().map { PresenceMember(user: $0, deviceID: device) },
            rooms: rooms,
            grace: presence.grace
        )
        let tracker = self.tracker
        socket.onDisconnect { _, _ in tracker.departed(key) }
    }

    /// The socket subscribed to `room` (`_subscribe`).
    func subscribed(_ socket: Socket, to room: String, site: Site) {
        guard site.presence != nil else { return }
        tracker.joined(PresenceSocketKey(site: site.name, socketID: socket.id), room: room)
    }

    /// The socket unsubscribed from `room` (`_unsubscribe`).
    func unsubscribed(_ socket: Socket, from room: String, site: Site) {
        guard site.presence != nil else { return }
        tracker.left(PresenceSocketKey(site: site.name, socketID: socket.id), room: room)
    }

    /// The room `name` stands for in presence, or nil for a room presence ignores.
    static func presenceRoom(of name: String, socketID: String, naming: UserRoomNaming) -> String? {
        if let subscribed = SubscriptionRoom.room(of: name) { return subscribed }
        guard name != socketID, !name.hasPrefix(SubscriptionRoom.reservedPrefix), !naming.isUserRoom(name) else { return nil }
        return name
    }
}
