import ArgumentParser
import EngineIO
import Foundation
import Hummingbird
import Logging
import SocketIO

/// The reference server the Socket.IO and Engine.IO protocol projects run their test suites against.
@main
struct SocketIOConformance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socketio-conformance",
        abstract: "Socket.IO / Engine.IO reference behaviour for protocol test suites."
    )

    @Option(help: "TCP port to listen on.")
    var port: Int = 3000

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Once listening, write the port to this file; with --port 0 the system picks a free port.")
    var portFile: String?

    @Flag(help: "Serve a bare Engine.IO echo server at /engine.io/ instead of Socket.IO.")
    var engineOnly = false

    /// The official suites expect the reference server's default, which refuses Engine.IO v3 (a request without
    /// `EIO`, or with `EIO=abc`, is answered 400); Herald's own interop tests use v3 clients, so v3 stays the default.
    @Flag(
        inversion: .prefixedNo,
        help: "Accept Engine.IO v3 clients (Socket.IO 1.x/2.x); --no-eio3 serves the official suites' configuration."
    )
    var eio3 = true

    /// The official suites' heartbeat (300 ms, 200 ms); client libraries on a loaded machine need longer ones.
    @Option(help: "Milliseconds between pings (the official suites expect 300).")
    var pingInterval: Int64 = 300

    @Option(help: "Milliseconds to wait for a pong (the official suites expect 200).")
    var pingTimeout: Int64 = 200

    func run() async throws {
        let engine = EngineServer(
            configuration: EngineConfiguration(
                path: engineOnly ? "/engine.io/" : "/socket.io/",
                pingInterval: .milliseconds(pingInterval),
                pingTimeout: .milliseconds(pingTimeout),
                maxPayload: 1_000_000,
                cors: .reflectAnyOrigin,
                allowEIO3: eio3
            )
        )
        let socketServer: SocketIOServer?
        if engineOnly {
            engine.onOpen { session in session.delegate = EchoDelegate() }
            socketServer = nil
        } else {
            socketServer = ConformanceBehaviour.install(on: engine)
        }
        var logger = Logger(label: "socketio-conformance")
        logger.logLevel = .warning
        let router = Router()
        router.add(middleware: EngineIOMiddleware(server: engine))
        WaitingPollRoute.add(to: router, engine: engine)
        let app = Application(
            router: router,
            server: .engineIO(engine),
            configuration: .init(address: .hostname(host, port: port), serverName: "socketio-conformance"),
            onServerRunning: { [portFile, logger] channel in
                guard let portFile, let bound = channel.localAddress?.port else { return }
                do {
                    try "\(bound)\n".write(toFile: portFile, atomically: true, encoding: .utf8)
                } catch {
                    logger.error("could not write the port file \(portFile): \(error)")
                }
            },
            logger: logger
        )
        try await app.runService()
        withExtendedLifetime(socketServer) {}
    }
}
