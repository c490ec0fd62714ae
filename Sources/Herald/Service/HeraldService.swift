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
    /// Delivers and logs each message of `POST /send` and of the Redis channel `herald:send`.
    public let sender: MessageSender
    /// Reads and sends what backends publish on the Redis channel `herald:send`.
    public let publishedMessages: PublishedMessageHandler
    /// Answers of `POST /send` requests that carried an `Idempotency-Key`.
    public let idempotency: any IdempotencyStore
    /// Device registry and queues.
    public let store: any MessageStore
    /// Each site's `maxSendsPerSecond`, for `POST /send`.
    public let sendLimiter: any SiteSendRate
    /// Counters and timings of handshakes, sends and acks.
    public let metrics: HeraldMetrics
    /// `POST /rpc` and `POST /disconnect`: commands for sockets on every instance.
    public let control: BackendControl
    /// Room presence of the sites with `presence`: `GET /presence`, `_join`/`_leave`, reaping of dead instances.
    public let presence: PresenceTracker
    /// This instance's sockets, rooms and counts, as the admin API and the metrics scrape read them.
    let inspector: LocalSiteInspector
    private let sessions: DeviceSessions
    private let connections: SiteConnectionCounter
    private let gateway: SiteGateway

    /// Assembles the service, `instanceID` naming this instance in the admin API; hooks (`authUrl`, `updateUserUrl`) go through `hooks`, reliable delivery keeps its
    /// state in `store`, `Idempotency-Key` answers in `idempotency`, and metrics go to `metrics`; `sendLimiter`
    /// enforces `maxSendsPerSecond` (tests give it a clock of their own), `connectionLimit` enforces `maxConnections`
    /// across the instances (a single instance's own count suffices), and `connectionClock` is the time
    /// `io.maxConnectionsPerSecond` and `maxAuthAttemptsPerMinute` are measured with (tests stop it).
    public init(
        configuration: HeraldConfiguration,
        instanceID: String = "local",
        hooks: any HookTransport,
        store: any MessageStore,
        idempotency: any IdempotencyStore = InMemoryIdempotencyStore(),
        presenceStore: any PresenceStore = InMemoryPresenceStore(),
        presenceTimer: any PresenceTimer = TaskPresenceTimer(),
        bus: any ClusterBus = LocalClusterBus(),
        makeAdapter: @escaping @Sendable (_ namespace: String) -> any Adapter = { _ in LocalAdapter() },
        logger: Logger,
        eventLoopGroup: any EventLoopGroup,
        metrics: HeraldMetrics = HeraldMetrics(),
        sendLimiter: any SiteSendRate = SiteSendLimiter(),
        connectionLimit: any ClusterConnectionLimit = InstanceConnectionLimit(),
        connectionClock: @escaping MonotonicTime = continuousTime()
    ) {
        let settings = configuration.settings
        self.configuration = configuration
        engine = EngineServer(configuration: settings.io.engineConfiguration, eventLoopGroup: eventLoopGroup)
        io = SocketIOServer(
            engine: engine,
            configuration: SocketIOConfiguration(
                connectTimeout: .milliseconds(Int64(settings.io.connectTimeout)),
                makeAdapter: makeAdapter
            )
        )
        sites = SiteRegistry(configuration.sites)
        self.store = store
        self.metrics = metrics
        self.sendLimiter = sendLimiter
        let rate = settings.io.maxConnectionsPerSecond.map { perSecond in
            ConnectionRateLimiter(perSecond: perSecond, burst: settings.io.connectionBurst ?? perSecond, now: connectionClock)
        }
        engine.setHandshakePolicy(InstanceHandshakePolicy(settings: settings.connectionPolicy, rate: rate))
        let connections = SiteConnectionCounter()
        self.connections = connections
        let sessions = DeviceSessions()
        self.sessions = sessions
        delivery = Delivery(
            io: io,
            store: store,
            ids: FlakeIDGenerator(datacenter: settings.flakeDatacenter, worker: settings.flakeWorker),
            sessions: sessions,
            bus: bus,
            metrics: metrics
        )
        sender = MessageSender(delivery: delivery, logger: logger)
        publishedMessages = PublishedMessageHandler(sites: sites, sender: sender, logger: logger)
        self.idempotency = idempotency
        let delivery = self.delivery
        bus.onDelivery { delivery.deliverLocally($0) }
        inspector = LocalSiteInspector(io: io, sites: sites, metrics: metrics, instanceID: instanceID)
        let localControl = LocalSocketControl(io: io, sites: sites, inspector: inspector)
        control = BackendControl(local: localControl, cluster: bus)
        bus.onControl { await localControl.run($0) }
        bus.onDeliveriesMissed { [logger] in
            let count = sessions.catchUp()
            logger.warning("cluster bus reconnected: \(count) device session(s) ask the store for what they missed")
        }
        presence = PresenceTracker(
            store: presenceStore,
            timer: presenceTimer,
            announcer: SocketIOPresenceAnnouncer(io: io),
            logger: logger
        )
        let roomPresence = SocketPresence(tracker: presence)
        gateway = SiteGateway(
            io: io,
            sites: sites,
            authenticator: Authenticator(hooks: hooks, timeout: settings.hookTimeout),
            sessions: sessions,
            makeSession: ReliableSessionFactory(store: store, queueCapacity: settings.maxQueueLength, logger: logger),
            bus: bus,
            connections: connections,
            clusterConnections: connectionLimit,
            addressCheck: SiteAddressCheck(
                attempts: AuthAttemptLimiter(now: connectionClock),
                defaultAttemptsPerMinute: settings.connectionPolicy.maxAuthAttemptsPerMinute,
                logger: logger,
                metrics: metrics
            ),
            presence: UserPresenceReporter(hooks: hooks, timeout: settings.hookTimeout, logger: logger),
            commands: ClientCommands(
                sites: sites,
                hook: InteractionHook(hooks: hooks, timeout: settings.hookTimeout),
                sender: sender,
                presence: roomPresence,
                defaultMaxPayloadBytes: settings.maxSendBodyBytes,
                now: connectionClock,
                logger: logger,
                metrics: metrics
            ),
            roomPresence: roomPresence,
            deviceTTL: settings.deviceTTL,
            logger: logger,
            metrics: metrics
        )
        for site in sites.all {
            gateway.open(site)
        }
        engine.negotiatesPerMessageDeflate = sites.all.contains { $0.permessageDeflate != nil }
    }

    /// Serves `sites` from now on (a reload of `sites.yml`): added sites accept connections at once, removed sites'
    /// clients are disconnected and new ones refused with "Invalid namespace", and changed keys and limits apply to
    /// the next request or connection. Returns what changed.
    @discardableResult
    public func reload(sites newSites: [String: Site]) -> SiteChanges {
        let changes = sites.replace(with: newSites)
        for name in changes.removed {
            io.removeNamespace("/" + name)
        }
        for name in changes.added {
            if let site = newSites[name] {
                gateway.open(site)
            }
        }
        for name in changes.changed {
            if let site = newSites[name] {
                io.namespace(named: site.namespace)?.setRecovery(site.recovery?.connectionStateRecovery)
                io.namespace(named: site.namespace)?.messageCompression = site.permessageDeflate
            }
        }
        engine.negotiatesPerMessageDeflate = newSites.values.contains { $0.permessageDeflate != nil }
        sendLimiter.retain(sites: Array(newSites.keys))
        return changes
    }

    /// Every configured site with its sockets on this instance by transport and its messages emitted here (the
    /// metrics scrape's numbers; the admin API's ``SiteInspector`` sums them over the instances).
    public func localSiteSummaries() async -> [SiteSummary] {
        await inspector.sites()
    }

    /// Sockets of `siteName` on this instance, as counted against its `maxConnections`.
    public func connectionCount(siteName: String) -> Int {
        connections.count(siteName: siteName)
    }

    /// Closes every client connection of every protocol at once — Engine.IO sessions, plain WebSockets, Server-Sent
    /// Events streams — so none holds a shutdown up; clients see a transport close and reconnect, to another instance
    /// behind a load balancer.
    public func closeClientConnections() {
        engine.closeAllSessions()
        io.closeOtherWires()
    }

    /// Closes every client connection (``closeClientConnections()``), then waits up to `timeout` until every device's
    /// disconnect is recorded in the store. Returns whether everything was recorded in time.
    public func drain(timeout: Duration) async -> Bool {
        closeClientConnections()
        let settled = await sessions.settle(timeout: timeout)
        await presence.drain()
        return settled
    }
}
