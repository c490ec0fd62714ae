public import SocketIO

/// Tells a room's members that a device arrived or left: the seam between the presence bookkeeping and the sockets.
public protocol PresenceAnnouncer: Sendable {
    /// Emits `event` (`_join` or `_leave`) with `{"user","deviceId"}` of `member` to everyone in `room` on `site`.
    func announce(_ event: HeraldEvent, _ member: PresenceMember, room: String, site: String)
}

/// Announces through the site's namespace broadcast, which reaches the room's sockets on every instance (the adapter
/// publishes it), and through the room's subscription room, where `_subscribe`d sockets are. The device itself gets
/// its own `_join` and `_leave` on its other sockets: Herald does not tell one device's sockets apart in a broadcast,
/// and a client knows its own `deviceId`.
public struct SocketIOPresenceAnnouncer: PresenceAnnouncer {
    private let io: SocketIOServer

    /// Announces through `io`.
    public init(io: SocketIOServer) {
        self.io = io
    }

    public func announce(_ event: HeraldEvent, _ member: PresenceMember, room: String, site: String) {
        io.of("/" + site).to([room, SubscriptionRoom.name(for: room)]).emit(event.rawValue, [member.json])
    }
}
