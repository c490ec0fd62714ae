/// One socket connected to this instance, as the admin API lists it.
public struct SocketSummary: Sendable, Hashable {
    /// The Socket.IO socket ID.
    public var id: String
    /// The `deviceId` the client connected with, if any.
    public var deviceID: String?
    /// `polling` or `websocket`.
    public var transport: String
    /// When the client was admitted, in milliseconds since 1970.
    public var connectedSince: Int64
}

/// A room with sockets on this instance.
public struct RoomSummary: Sendable, Hashable {
    /// The room's name.
    public var name: String
    /// Sockets of this instance in the room.
    public var members: Int
}

/// A site's live numbers on this instance.
public struct SiteSummary: Sendable, Hashable {
    /// The site's name.
    public var name: String
    /// Sockets connected to this instance, by transport (`polling`, `websocket`).
    public var socketsByTransport: [String: Int]
    /// Messages emitted to the site since start.
    public var messagesEmitted: Int

    /// Sockets connected to this instance.
    public var sockets: Int { socketsByTransport.values.reduce(0, +) }
}
