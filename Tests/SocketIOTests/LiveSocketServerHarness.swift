import NIOCore
import NIOPosix

@testable import EngineIO
@testable import SocketIO

/// A Socket.IO server on a real single-threaded event loop, for tests whose middlewares run in tasks.
/// Every interaction with a session happens on its loop, as in production.
final class LiveSocketServerHarness: Sendable {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let engine: EngineServer
    let io: SocketIOServer

    init() {
        engine = EngineServer(
            configuration: EngineConfiguration(pingInterval: .seconds(60), pingTimeout: .seconds(60)),
            eventLoopGroup: group
        )
        io = SocketIOServer(engine: engine, configuration: SocketIOConfiguration(connectTimeout: .seconds(5)))
    }

    func shutdown() async throws {
        try await group.shutdownGracefully()
    }

    /// Opens a v4 (Engine.IO) polling session and reads the handshake.
    func connectClient() async throws -> EngineSession {
        let loop = group.next()
        let session = engine.makeSession(
            version: .v4,
            eventLoop: loop,
            handshake: EngineHandshake(query: [:], headers: [:], remoteAddress: nil, url: "/socket.io/"),
            transport: .polling(supportsBinary: false)
        )
        try await loop.submit { self.engine.announce(session) }.get()
        _ = try await session.eventLoop.flatSubmit { session.poll() }.get()
        return session
    }

    func send(_ text: String, on session: EngineSession) async throws {
        let body = EnginePayloadCodec.encode([.message(.text(text))], version: .v4, supportsBinary: false, allocator: .init()).body
        try await session.eventLoop.submit { try session.receivePolling(body: body) }.get()
    }

    /// Waits (bounded) for the next polling answer and returns its Socket.IO texts.
    func receiveTexts(on session: EngineSession) async throws -> [String] {
        let response = try await session.eventLoop.flatSubmit { session.poll() }.get()
        return try EnginePayloadCodec.decode(response.body, version: .v4).compactMap { packet in
            if case .message(.text(let text)) = packet { return text }
            return nil
        }
    }
}
