public import EngineIO
public import HookClient
public import Logging
public import NIOCore
public import SocketIO

/// Herald's domain assembled: the Socket.IO server with one namespace per site, the gateway that admits
/// clients, and the send pipeline. Knows nothing of HTTP routing; `HeraldServer` mounts it.
public final class HeraldService: Sendable {
    /// The configuration the service runs on.
    public let configuration: HeraldConfiguration
    /// The Engine.IO server carrying client connections.
    public let engine: EngineServer
    /// The Socket.IO server.
    public let io: SocketIOServer
    /// The sites served.
    public let sites: SiteRegistry
    /// The send pipeline.
    public let delivery: Delivery
    /// Which user rooms belong to which shared rooms.
    public let directory: RoomDirectory

    /// Assembles the service; hooks (`authUrl`, `updateUserUrl`) go through `hooks`.
    public init(
        configuration: HeraldConfiguration,
        hooks: any HookTransport,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup
    ) {
        let settings = configuration.settings
        self.configuration = configuration
        engine = EngineServer(configuration: settings.io.engineConfiguration, eventLoopGroup: eventLoopGroup)
        io = SocketIOServer(engine: engine)
        sites = SiteRegistry(configuration.sites)
        directory = RoomDirectory()
        delivery = Delivery(io: io, directory: directory)
        let gateway = SiteGateway(
            io: io,
            sites: sites,
            authenticator: Authenticator(hooks: hooks, timeout: settings.hookTimeout),
            directory: directory,
            presence: UserPresenceReporter(hooks: hooks, timeout: settings.hookTimeout, logger: logger),
            deviceTTL: settings.deviceTTL,
            logger: logger
        )
        for site in sites.all {
            gateway.open(site)
        }
    }
}
