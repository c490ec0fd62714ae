public import SocketIO

/// One member of a room's presence: a user's device. Several sockets of one device count once; a client that named
/// no `deviceId` counts as a device of its own, named by its socket ID.
public struct PresenceMember: Sendable, Hashable, Comparable {
    /// The user's ID, read from the socket's user room (`user_42` → `42`).
    public var user: String
    /// The client's `deviceId`, or its socket ID when it gave none.
    public var deviceID: String

    /// Creates a member.
    public init(user: String, deviceID: String) {
        self.user = user
        self.deviceID = deviceID
    }

    public static func < (lhs: PresenceMember, rhs: PresenceMember) -> Bool {
        (lhs.user, lhs.deviceID) < (rhs.user, rhs.deviceID)
    }

    /// `{"user": …, "deviceId": …}`, the argument of `_join` and `_leave` and an element of `GET /presence`.
    public var json: JSONValue {
        .object(["user": .string(user), "deviceId": .string(deviceID)])
    }
}

/// A member gone from a room of a site, as the store reports it when a leave is settled or an instance reaped.
public struct PresenceDeparture: Sendable, Hashable {
    /// The site's name.
    public var site: String
    /// The room the member left.
    public var room: String
    /// Who left.
    public var member: PresenceMember

    /// Creates a departure.
    public init(site: String, room: String, member: PresenceMember) {
        self.site = site
        self.room = room
        self.member = member
    }
}
