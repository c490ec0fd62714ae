import EngineIO
import Herald
import Hummingbird
import HummingbirdCore
import Logging

/// The original event-server's own ports, when `eventServer.listenPort` / `broadcastPort` are set: `POST /event` on
/// the listen port, listener WebSockets on any path of the broadcast port. Each is an extra HTTP server in this
/// process with the same connection guard (timeouts, parser refusals, graceful stop) as Herald's port, and with
/// `eventServer.https` the same TLS as Herald's port (the certificate re-read on SIGHUP).
enum EventServerPorts {
    /// Which of the original's two servers a port is.
    enum Role: String, Sendable {
        case listen
        case broadcast
    }

    /// The application of `role` on `port` (0: the system chooses; `onListening` gets the bound port).
    static func make(
        _ role: Role,
        port: Int,
        eventServer: EventServer,
        engine: EngineServer,
        host: String,
        tls: TLSContextStore? = nil,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        let endpoints: [any WebSocketEndpoint]
        switch role {
        case .listen:
            EventController(server: eventServer, logger: logger).register(on: router)
            endpoints = []
        case .broadcast:
            endpoints = [EventWebSocketEndpoint(server: eventServer, path: nil, closures: engine.connectionClosures)]
        }
        return Application(
            router: router,
            server: tls.map { .engineIO(engine, endpoints: endpoints, tls: $0) } ?? .engineIO(engine, endpoints: endpoints),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "herald"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("event-server \(role.rawValue) port listening on \(host):\(bound)", metadata: ["port": "\(bound)"])
                await onListening(bound)
            },
            logger: logger
        )
    }
}
