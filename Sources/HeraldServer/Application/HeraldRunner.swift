public import Herald
import HookClient
import Hummingbird
public import Logging
import NIOPosix

/// Runs Herald until SIGINT or SIGTERM: the hook client, the service and the HTTP application, shut down in order.
public enum HeraldRunner {
    /// Serves `configuration`, logging to `logger`.
    public static func run(_ configuration: HeraldConfiguration, logger: Logger) async throws {
        let settings = configuration.settings
        let hooks = HookClient(configuration: HookClient.Configuration(defaultTimeout: settings.hookTimeout), logger: logger)
        let store = try MessageStoreFactory.make(settings: settings, logger: logger)
        let service = HeraldService(
            configuration: configuration,
            hooks: hooks,
            store: store.store,
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
        let sites = service.sites.all.map(\.name)
        let app = HeraldApplication.make(service: service, logger: logger) { port in
            logger.info(
                "Herald listening on \(settings.host):\(port)",
                metadata: [
                    "port": "\(port)",
                    "sites": .array(sites.map { "\($0)" }),
                    "store": "\(settings.redisURL == nil ? "memory" : "redis")",
                ]
            )
        }
        let background = Task { await store.background() }
        defer { background.cancel() }
        do {
            try await app.runService()
        } catch {
            await hooks.shutdown()
            await store.shutdown()
            throw error
        }
        await hooks.shutdown()
        await store.shutdown()
        logger.info("Herald stopped")
    }
}
