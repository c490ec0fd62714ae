public import Herald
import HookClient
import Hummingbird
public import Logging
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Runs Herald until SIGINT or SIGTERM, then shuts down gracefully within ``shutdownBound``: stop accepting, close
/// client connections (clients reconnect, elsewhere behind a load balancer), record their disconnects, leave the
/// cluster, exit. SIGHUP reloads the sites.
public enum HeraldRunner {
    /// Longest graceful shutdown before remaining work is cancelled.
    public static let shutdownBound: Duration = .seconds(10)

    /// Serves `configuration`, logging to `logger`; with `sitesReload`, each SIGHUP reads the sites again and applies
    /// them (an invalid file is logged and the running sites kept). `onShutdown` runs when a graceful shutdown
    /// starts. `onListening` gets the bound port once the server accepts connections (the one the system chose when
    /// the configured port is 0).
    public static func run(
        _ configuration: HeraldConfiguration,
        sitesReload: SitesReload? = nil,
        logger: Logger,
        onShutdown: @escaping @Sendable () -> Void = {},
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let settings = configuration.settings
        let tls = try settings.tls.map { tlsSettings throws(TLSIdentityError) in try TLSContextStore(settings: tlsSettings) }
        if let tls {
            logger.info("TLS enabled", metadata: tls.current.summary.mapValues { Logger.MetadataValue.string($0) })
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
            hooks: hooks,
            store: backend.store,
            idempotency: backend.idempotency,
            bus: backend.bus,
            makeAdapter: backend.makeAdapter,
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            metrics: metrics.herald
        )
        let sites = service.sites.all.map(\.name)
        let assets = StaticAssets.bundled
        if assets.isEmpty {
            logger.warning("demo page files not found beside the binary (herald_HeraldServer.resources); / answers 404")
        }
        let app = HeraldApplication.make(service: service, assets: assets, metrics: metrics, tls: tls, logger: logger) { port in
            logger.info(
                "Herald listening on \(settings.host):\(port)",
                metadata: [
                    "port": "\(port)",
                    "scheme": "\(tls == nil ? "http" : "https")",
                    "sites": .array(sites.map { "\($0)" }),
                    "store": "\(settings.redisURL == nil ? "memory" : "redis")",
                    "instance": "\(instanceID)",
                ]
            )
            await onListening(port)
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
            await backend.retire()
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: DrainService(service: service, timeout: .seconds(7), leave: leave, onShutdown: onShutdown, logger: logger)
            ),
            .init(service: ConnectionsService(app: app, service: service)),
            .init(service: EventLoopLagProbe(group: MultiThreadedEventLoopGroup.singleton, metrics: metrics)),
        ]
        if sitesReload != nil || tls != nil {
            let hangups = await UnixSignalsSequence(trapping: .sighup)
            let reloads = ReloadOnHangupService(
                hangups: hangups,
                sites: sitesReload.map { SitesReloader(reload: $0, service: service, logger: logger) },
                certificate: tls.map { CertificateReloader(store: $0, logger: logger) }
            )
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
}
