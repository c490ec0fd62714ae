/// What Herald knows about one connected socket of a site; kept as the socket's `data`.
struct SiteClient: Sendable {
    /// The site's name.
    let site: String
    /// The credentials the client connected with (the token authorises `updateUserUrl` calls; never logged).
    let credentials: ClientCredentials
    /// Rooms the client was granted.
    let rooms: [String]
    /// The granted rooms that are user rooms.
    let userRooms: [String]
    /// The granted rooms that are shared rooms.
    let sharedRooms: [String]
    /// Reliable delivery to the client's device, one session per user room (none without a `deviceId`).
    var deviceSessions: [any ReliableSession] = []
    /// When the client was admitted, in milliseconds since 1970.
    let connectedSince = SystemWallClock().milliseconds
    /// The verified claims of the client's JWT (nil on sites without `jwt:`): ``TokenExpiry`` disconnects the socket
    /// at their `exp` unless the client refreshes its token for the same `sub`.
    let jwt: JWTClaims?

    init(site: Site, credentials: ClientCredentials, rooms: [String], jwt: JWTClaims? = nil) {
        self.site = site.name
        self.credentials = credentials
        self.rooms = rooms
        self.jwt = jwt
        if let prefix = site.userRoomPrefix {
            let naming = UserRoomNaming(prefix: prefix)
            userRooms = rooms.filter(naming.isUserRoom)
            sharedRooms = rooms.filter { !naming.isUserRoom($0) }
        } else {
            userRooms = []
            sharedRooms = rooms
        }
    }
}
