import Herald
import Hummingbird
import ServiceLifecycle

/// Runs the HTTP application; on graceful shutdown it stops accepting (Hummingbird) and closes every client
/// connection at once, so parked long-polls, WebSockets (event-server listeners too) and Server-Sent Events streams
/// end instead of holding the shutdown up.
struct ConnectionsService<App: ApplicationProtocol>: Service {
    let app: App
    let service: HeraldService
    let eventServer: EventServer?

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            service.closeClientConnections()
            eventServer?.closeAll()
        }
    }
}

/// Runs one of the event server's own ports; on graceful shutdown it stops accepting and closes its listeners with
/// 1001 (``ConnectionsService`` does the same for Herald's port).
struct EventPortService<App: ApplicationProtocol>: Service {
    let app: App
    let eventServer: EventServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            eventServer.closeAll()
        }
    }
}
