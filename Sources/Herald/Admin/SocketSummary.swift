/// One socket, as the admin API lists it.
public struct SocketSummary: Sendable, Hashable {
    /// The instance it is connected to.
    public var instance: String
    /// The Socket.IO socket ID.
    public var id: String
    /// The `deviceId` the client connected with, if any.
    public var deviceID: String?
    /// `polling` or `websocket`.
    public var transport: String
    /// When the client was admitted, in milliseconds since 1970.
    public var connectedSince: Int64

    /// Creates a summary.
    public init(instance: String, id: String, deviceID: String?, transport: String, connectedSince: Int64) {
        self.instance = instance
        self.id = id
        self.deviceID = deviceID
        self.transport = transport
        self.connectedSince = connectedSince
    }
}

/// A room with sockets.
public struct RoomSummary: Sendable, Hashable {
    /// The room's name.
    public var name: String
    /// Sockets in the room.
    public var members: Int

    /// Creates a summary.
    public init(name: String, members: Int) {
        self.name = name
        self.members = members
    }
}

/// A site's live numbers.
public struct SiteSummary: Sendable, Hashable {
    /// The site's name.
    public var name: String
    /// Sockets connected, by transport (`polling`, `websocket`, `websocket-json`, `sse`).
    public var socketsByTransport: [String: Int]
    /// Messages emitted to the site since each instance started.
    public var messagesEmitted: Int

    /// Creates a summary.
    public init(name: String, socketsByTransport: [String: Int], messagesEmitted: Int) {
        self.name = name
        self.socketsByTransport = socketsByTransport
        self.messagesEmitted = messagesEmitted
    }

    /// Sockets connected.
    public var sockets: Int { socketsByTransport.values.reduce(0, +) }
}
