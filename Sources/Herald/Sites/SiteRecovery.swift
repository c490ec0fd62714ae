public import SocketIO

/// A site's connection state recovery (`recovery:` in `sites.yml`): Socket.IO 4.6+ clients that lose their connection
/// get their socket back, with the room events they missed, when they return within the window.
public struct SiteRecovery: Sendable, Hashable {
    /// How long a lost connection's session can be taken back, in seconds (`maxDisconnectionSeconds`, default 120).
    public var maxDisconnectionSeconds: Int
    /// Whether a recovered client keeps its rooms without asking `authUrl` again (`skipAuth`, default true, as
    /// Socket.IO's `skipMiddlewares`).
    public var skipAuth: Bool
    /// Most events kept per room for returning clients (`maxEventsPerRoom`, default 1,000).
    public var maxEventsPerRoom: Int

    /// Socket.IO's default window.
    public static let defaultMaxDisconnectionSeconds = 120
    /// The default of `maxEventsPerRoom`.
    public static let defaultMaxEventsPerRoom = 1_000

    /// Creates the settings.
    public init(
        maxDisconnectionSeconds: Int = SiteRecovery.defaultMaxDisconnectionSeconds,
        skipAuth: Bool = true,
        maxEventsPerRoom: Int = SiteRecovery.defaultMaxEventsPerRoom
    ) {
        self.maxDisconnectionSeconds = maxDisconnectionSeconds
        self.skipAuth = skipAuth
        self.maxEventsPerRoom = maxEventsPerRoom
    }

    /// The Socket.IO layer's settings.
    public var connectionStateRecovery: ConnectionStateRecovery {
        ConnectionStateRecovery(maxDisconnection: .seconds(maxDisconnectionSeconds), maxEventsPerRoom: maxEventsPerRoom)
    }
}
