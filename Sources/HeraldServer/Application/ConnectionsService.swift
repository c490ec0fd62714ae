import Herald
import Hummingbird
import ServiceLifecycle

/// Runs the HTTP application; on graceful shutdown it stops accepting (Hummingbird) and closes every client
/// connection at once, so parked long-polls and WebSockets end instead of holding the shutdown up.
struct ConnectionsService<App: ApplicationProtocol>: Service {
    let app: App
    let service: HeraldService

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            service.engine.closeAllSessions()
        }
    }
}
