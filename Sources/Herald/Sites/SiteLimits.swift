/// What one site may use of this instance, from its `sites.yml` entry. Every limit is optional; nil means the
/// documented default.
public struct SiteLimits: Sendable, Hashable {
    /// Most sockets of the site connected to this instance at once (each instance counts its own sockets); a client
    /// over it is refused with `Site connection limit reached`. nil: no limit.
    public var maxConnections: Int?
    /// Messages per second `POST /send` accepts for the site (a token bucket holding one second's worth); over it the
    /// backend gets 429 with `Retry-After`. nil: no limit.
    public var maxSendsPerSecond: Int?
    /// Largest `POST /send` body for the site, in bytes (413 beyond). nil: the global `send.maxBodyBytes`.
    public var maxPayloadBytes: Int?
    /// Most rooms a client joins; rooms beyond it in the authUrl's answer are dropped and logged. nil: no limit.
    public var maxRoomsPerClient: Int?
    /// Most devices (`deviceId`s) one user keeps queues for. A new device beyond it evicts the user's device offline
    /// the longest, or is refused with `Too many devices` when all of them are connected. nil: 20.
    public var maxDevicesPerUser: Int?
    /// Most live messages one socket may leave unacknowledged; beyond it live emits wait in the device's queue for
    /// its next `_batch` instead of holding an ack callback and timer each. nil: 1,000.
    public var maxPendingAcksPerSocket: Int?
    /// Handshakes per minute one client address may make that reach the site's authentication; beyond it the client
    /// is refused with `Too many authentication attempts` and `authUrl` is not called. nil: the global
    /// `maxAuthAttemptsPerMinute` of `config.yml`, if any.
    public var maxAuthAttemptsPerMinute: Int?

    /// The default of `maxDevicesPerUser`.
    public static let defaultMaxDevicesPerUser = 20
    /// The default of `maxPendingAcksPerSocket`: a device queue's default length, so a client acknowledging nothing
    /// holds no more callbacks than its queue holds messages.
    public static let defaultMaxPendingAcksPerSocket = 1_000

    /// Creates limits; nil leaves a limit at its default.
    public init(
        maxConnections: Int? = nil,
        maxSendsPerSecond: Int? = nil,
        maxPayloadBytes: Int? = nil,
        maxRoomsPerClient: Int? = nil,
        maxDevicesPerUser: Int? = nil,
        maxPendingAcksPerSocket: Int? = nil,
        maxAuthAttemptsPerMinute: Int? = nil
    ) {
        self.maxConnections = maxConnections
        self.maxSendsPerSecond = maxSendsPerSecond
        self.maxPayloadBytes = maxPayloadBytes
        self.maxRoomsPerClient = maxRoomsPerClient
        self.maxDevicesPerUser = maxDevicesPerUser
        self.maxPendingAcksPerSocket = maxPendingAcksPerSocket
        self.maxAuthAttemptsPerMinute = maxAuthAttemptsPerMinute
    }

    /// `maxDevicesPerUser` or its default.
    public var devicesPerUser: Int { maxDevicesPerUser ?? Self.defaultMaxDevicesPerUser }
    /// `maxPendingAcksPerSocket` or its default.
    public var pendingAcksPerSocket: Int { maxPendingAcksPerSocket ?? Self.defaultMaxPendingAcksPerSocket }

    /// `rooms` cut to `maxRoomsPerClient`: the first ones in the order given are kept, the rest dropped.
    public func splitRooms(_ rooms: [String]) -> (kept: [String], dropped: [String]) {
        guard let limit = maxRoomsPerClient, rooms.count > limit else { return (rooms, []) }
        return (Array(rooms.prefix(limit)), Array(rooms.dropFirst(limit)))
    }
}
