import EngineIO
public import Herald
public import Hummingbird
public import Logging

/// Builds Herald's HTTP application: Engine.IO at `/socket.io/`, `POST /send`, `GET /healthcheck` and the demo page.
public enum HeraldApplication {
    /// The application serving `service` on the address of its settings (`port` 0 picks a free port; see
    /// `onServerRunning`).
    public static func make(
        service: HeraldService,
        assets: StaticAssets = .bundled,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let settings = service.configuration.settings
        let router = Router()
        router.add(middleware: EngineIOMiddleware(server: service.engine))
        HealthController().register(on: router)
        SendController(service: service, maxBodyBytes: settings.maxSendBodyBytes, logger: logger).register(on: router)
        assets.register(on: router)
        return Application(
            router: router,
            server: .engineIO(service.engine),
            configuration: ApplicationConfiguration(
                address: .hostname(settings.host, port: settings.port),
                serverName: "herald"
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger
        )
    }
}
