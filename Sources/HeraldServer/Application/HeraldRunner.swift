import EngineIO
public import Herald
import HookClient
import Hummingbird
import HummingbirdCore
public import Logging
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Runs Herald until SIGINT or SIGTERM, then shuts down gracefully within ``shutdownBound``: stop accepting, close
/// client connections (clients reconnect, elsewhere behind a load balancer), record their disconnects, leave the
/// cluster, exit. SIGHUP reloads the sites, the TLS certificate and the event server's tokens.
public enum HeraldRunner {
    /// Longest graceful shutdown before remaining work is cancelled.
    public static let shutdownBound: Duration = .seconds(10)

    /// Serves `configuration`, logging to `logger`; with `sitesReload`, each SIGHUP reads the sites again and applies
    /// them (an invalid file is logged and the running sites kept). `onShutdown` runs when a graceful shutdown
    /// starts. `onListening` gets the bound ports once every server accepts connections (the ones the system chose
    /// when a configured port is 0).
    public static func run(
        _ configuration: HeraldConfiguration,
        sitesReload: SitesReload? = nil,
        logger: Logger,
        onShutdown: @escaping @Sendable () -> Void = {},
        onListening: @escaping @Sendable (ListeningPorts) async -> Void = { _ in }
    ) async throws {
        let settings = configuration.settings
        // Read before anything starts: an unreadable tokens file stops the start with nothing to clean up.
        let eventTokens = try settings.eventServer.map { try EventTokensFile(path: $0.tokensFile).load() }
        let eventTLS = try settings.eventServer.flatMap { eventServer throws(TLSIdentityError) in
            eventServer.httpsEnabled ? try TLSContextStore(settings: eventServer.tlsSettings) : nil
        }
        let tls = try settings.tls.map { tlsSettings throws(TLSIdentityError) in try TLSContextStore(settings: tlsSettings) }
        if let tls {
            logger.info("TLS enabled", metadata: tls.current.summary.mapValues { Logger.MetadataValue.string($0) })
        }
        if let eventTLS {
            logger.info("event-server TLS enabled", metadata: eventTLS.current.summary.mapValues { Logger.MetadataValue.string($0) })
        }
        let instanceID = MessageStoreFactory.instanceID()
        let metrics = ServerMetrics()
        let hooks = HookClient(configuration: HookClient.Configuration(defaultTimeout: settings.hookTimeout), logger: logger)
        let backend = try MessageStoreFactory.make(
            settings: settings,
            instanceID: instanceID,
            metricsFactory: metrics.factory,
            logger: logger
        )
        let service = HeraldService(
            configuration: configuration,
            instanceID: instanceID,
            hooks: hooks,
            store: backend.store,
            idempotency: backend.idempotency,
            presenceStore: backend.presence,
            bus: backend.bus,
            makeAdapter: backend.makeAdapter,
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            metrics: metrics.herald,
            sendLimiter: backend.sendRate,
            connectionLimit: backend.connectionLimit
        )
        backend.reapPresence(service.presence)
        if let owners = backend.sessionOwners, let secret = settings.clusterSecret {
            service.engine.setSessionForwarding(
                ClusterSessionForwarding(
                    owners: owners,
                    secret: secret,
                    engine: service.engine.configuration,
                    maxConcurrentForwards: settings.clusterMaxForwards,
                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                    metrics: ForwardingMetrics(factory: metrics.factory),
                    logger: logger
                )
            )
        }
        let eventServer = makeEventServer(settings.eventServer, tokens: eventTokens, bus: backend.bus, metrics: metrics, logger: logger)
        await eventServer?.start()
        await backend.bus.attachControl()
        let ports = ListeningPortsCollector(
            expectsListen: settings.eventServer?.listenPort != nil,
            expectsBroadcast: settings.eventServer?.broadcastPort != nil,
            report: onListening
        )
        let sites = service.sites.all.map(\.name)
        let assets = StaticAssets.bundled
        if assets.isEmpty {
            logger.warning("demo page files not found beside the binary (herald_HeraldServer.resources); / answers 404")
        }
        let app = HeraldApplication.make(
            service: service,
            assets: assets,
            metrics: metrics,
            eventServer: eventServer,
            tls: tls,
            logger: logger
        ) { port in
            logger.info(
                "Herald listening on \(settings.host):\(port)",
                metadata: [
                    "port": "\(port)",
                    "scheme": "\(tls == nil ? "http" : "https")",
                    "sites": .array(sites.map { "\($0)" }),
                    "store": "\(settings.redis == nil ? "memory" : "redis")",
                    "instance": "\(instanceID)",
                ]
            )
            backend.sessionOwners?.advertise(settings.clusterAdvertise ?? AdvertisedAddress.derived(host: settings.host, port: port))
            await ports.main(port)
        }
        let published = service.publishedMessages
        let background = Task {
            async let maintenance: Void = backend.background()
            async let channel: Void = backend.consumePublished { await published.handle($0) }
            _ = await (maintenance, channel)
        }
        // Heartbeats and the herald:send consumer end before the instance leaves the registry: a heartbeat after
        // it would list the instance again, and a lease renewal would hold herald:send for a process that is gone.
        let stopBackground: @Sendable () async -> Void = {
            background.cancel()
            await background.value
        }
        let leave: @Sendable () async -> Void = {
            await stopBackground()
            await service.presence.retire()
            await backend.retire()
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: DrainService(service: service, timeout: .seconds(7), leave: leave, onShutdown: onShutdown, logger: logger)
            ),
            .init(service: ConnectionsService(app: app, service: service, eventServer: eventServer)),
            .init(service: EventLoopLagProbe(group: MultiThreadedEventLoopGroup.singleton, metrics: metrics)),
        ]
        if let eventServer {
            services += eventServerPorts(
                eventServer,
                engine: service.engine,
                host: settings.host,
                tls: eventTLS,
                ports: ports,
                logger: logger
            )
        }
        if sitesReload != nil || eventServer != nil || tls != nil {
            let eventCertificate = eventTLS.map { CertificateReloader(store: $0, name: "event-server TLS certificate", logger: logger) }
            let reloader = sitesReload.map { SitesReloader(reload: $0, service: service, logger: logger) }
            let certificate = tls.map { CertificateReloader(store: $0, name: "TLS certificate", logger: logger) }
            let tokens = eventServer.map { (EventTokensFile(path: $0.settings.tokensFile), $0) }
            let hangups = await UnixSignalsSequence(trapping: .sighup)
            let reloads = ReloadOnHangupService(hangups: hangups) {
                reloader?.reloadSites()
                certificate?.reloadCertificate()
                eventCertificate?.reloadCertificate()
                if let (file, server) = tokens {
                    file.reload(into: server, logger: logger)
                }
            }
            services.append(.init(service: reloads, successTerminationBehavior: .ignore))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = shutdownBound
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            await stopBackground()
            await hooks.shutdown()
            await backend.shutdown()
            throw error
        }
        await stopBackground()
        await hooks.shutdown()
        await backend.shutdown()
        logger.info("Herald stopped")
    }

    /// The event server of `settings` accepting `tokens`, or nil when it is off.
    private static func makeEventServer(
        _ settings: EventServerSettings?,
        tokens: EventTokens?,
        bus: any ClusterBus,
        metrics: ServerMetrics,
        logger: Logger
    ) -> EventServer? {
        guard let settings, let tokens else { return nil }
        logger.info("event server on", metadata: ["tokens": "\(tokens.count)", "https": "\(settings.httpsEnabled)"])
        return EventServer(settings: settings, tokens: tokens, bus: bus, metricsFactory: metrics.factory)
    }

    /// The services of the event server's own ports (`listenPort`, `broadcastPort`), over `tls` when given, each
    /// reporting its bound port to `ports`.
    private static func eventServerPorts(
        _ eventServer: EventServer,
        engine: EngineServer,
        host: String,
        tls: TLSContextStore?,
        ports: ListeningPortsCollector,
        logger: Logger
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let settings = eventServer.settings
        let roles: [(EventServerPorts.Role, Int?)] = [(.listen, settings.listenPort), (.broadcast, settings.broadcastPort)]
        return roles.compactMap { role, port in
            port.map { port in
                let app = EventServerPorts.make(
                    role,
                    port: port,
                    eventServer: eventServer,
                    engine: engine,
                    host: host,
                    tls: tls,
                    logger: logger
                ) { bound in
                    switch role {
                    case .listen: await ports.eventListen(bound)
                    case .broadcast: await ports.eventBroadcast(bound)
                    }
                }
                return .init(service: EventPortService(app: app, eventServer: eventServer))
            }
        }
    }
}
