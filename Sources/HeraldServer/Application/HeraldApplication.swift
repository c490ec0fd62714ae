import EngineIO
public import Herald
public import Hummingbird
import HummingbirdCore
public import Logging

/// Builds Herald's HTTP application: Engine.IO at `/socket.io/`, Server-Sent Events at `GET /sse/<site>`,
/// `POST /send`, `GET /healthcheck`, `GET /metrics`,
/// the demo page, the admin API and page when `admin.key` is set, and the event server (`POST /event`, WebSocket
/// `GET /events`) when `eventServer` is given.
public enum HeraldApplication {
    /// The application serving `service` on the address of its settings (`port` 0 picks a free port; see
    /// `onServerRunning`); `/metrics` prints `metrics`, which `service` should have been created with
    /// (`metrics.herald`). With `tls`, every connection is TLS with the certificate the store holds when it is
    /// accepted; without it, plain HTTP.
    public static func make(
        service: HeraldService,
        assets: StaticAssets = .bundled,
        metrics: ServerMetrics = ServerMetrics(),
        eventServer: EventServer? = nil,
        tls: TLSContextStore? = nil,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let settings = service.configuration.settings
        let router = Router(context: HeraldRequestContext.self)
        router.add(middleware: EngineIOMiddleware(server: service.engine))
        HealthController().register(on: router)
        SendController(service: service, maxBodyBytes: settings.maxSendBodyBytes, logger: logger).register(on: router)
        SocketCommandController(service: service, maxBodyBytes: settings.maxSendBodyBytes, logger: logger).register(on: router)
        PresenceController(service: service, logger: logger).register(on: router)
        SSEController(service: service, logger: logger).register(on: router)
        assets.register(on: router)
        MetricsController(metrics: metrics, service: service).register(on: router)
        if let adminKey = settings.adminKey {
            AdminController(key: adminKey, service: service, assets: assets).register(on: router)
        }
        var endpoints: [any WebSocketEndpoint] = []
        if let eventServer {
            EventController(server: eventServer, logger: logger).register(on: router)
            endpoints.append(EventWebSocketEndpoint(server: eventServer, path: "/events", closures: service.engine.connectionClosures))
        }
        endpoints.append(
            PlainWebSocketEndpoint(
                service: service,
                limits: PlainWebSocketLimits(
                    credentialsTimeout: service.io.configuration.connectTimeout,
                    pingInterval: service.engine.configuration.pingInterval
                ),
                closures: service.engine.connectionClosures
            )
        )
        endpoints.append(service.engine.webSocketEndpoint)
        return Application(
            router: router,
            server: tls.map { HTTPServerBuilder.engineIO(service.engine, endpoints: endpoints, tls: $0) }
                ?? .engineIO(service.engine, endpoints: endpoints),
            configuration: ApplicationConfiguration(
                address: .hostname(settings.host, port: settings.port),
                serverName: "herald"
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger
        )
    }
}
