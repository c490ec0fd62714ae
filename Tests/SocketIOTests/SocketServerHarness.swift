import NIOCore
import NIOEmbedded

@testable import EngineIO
@testable import SocketIO

/// A Socket.IO server whose clients are polling sessions on an embedded event loop: tests speak raw packets
/// and control time.
final class SocketServerHarness {
    let loop = EmbeddedEventLoop()
    let engine: EngineServer
    let io: SocketIOServer

    init(configuration: SocketIOConfiguration = SocketIOConfiguration(connectTimeout: .milliseconds(1000))) {
        engine = EngineServer(
            configuration: EngineConfiguration(pingInterval: .seconds(60), pingTimeout: .seconds(60)),
            eventLoopGroup: loop
        )
        io = SocketIOServer(engine: engine, configuration: configuration)
    }

    /// Opens a polling session the way a client of `version` would and reads the handshake answer.
    func connectClient(version: EngineProtocolVersion) throws -> TestClient {
        let session = engine.makeSession(
            version: version,
            eventLoop: loop,
            handshake: EngineHandshake(query: ["EIO": "\(version.rawValue)"], headers: [:], remoteAddress: "127.0.0.1", url: "/socket.io/"),
            transport: .polling(supportsBinary: false)
        )
        engine.announce(session)
        let client = TestClient(session: session, loop: loop)
        let opening = try client.receive()
        guard case .open = opening.first else { throw HarnessError.noOpenPacket }
        client.pending = Array(opening.dropFirst())
        return client
    }

    enum HarnessError: Error { case noOpenPacket, nothingReceived }
}

/// One client session: sends Socket.IO texts, reads back what the server sent.
final class TestClient {
    let session: EngineSession
    let loop: EmbeddedEventLoop
    var pending: [EnginePacket] = []

    init(session: EngineSession, loop: EmbeddedEventLoop) {
        self.session = session
        self.loop = loop
    }

    func send(_ socketIOText: String) throws {
        let body = EnginePayloadCodec.encode(
            [.message(.text(socketIOText))],
            version: session.version,
            supportsBinary: false,
            allocator: .init()
        ).body
        try session.receivePolling(body: body)
        loop.run()
    }

    func sendBinary(_ bytes: [UInt8]) throws {
        let body = EnginePayloadCodec.encode(
            [.message(.binary(ByteBuffer(bytes: bytes)))],
            version: session.version,
            supportsBinary: false,
            allocator: .init()
        ).body
        try session.receivePolling(body: body)
        loop.run()
    }

    /// Everything queued for this client (one GET), or [] when nothing is waiting.
    func receive() throws -> [EnginePacket] {
        loop.run()
        let box = Box<Result<PollingResponse, any Error>?>(nil)
        session.poll().whenComplete { box.value = $0 }
        loop.run()
        guard let result = box.value else {
            // Unpark: a test that expects nothing must not leave a GET parked.
            session.send(.text("__unpark__"))
            loop.run()
            return []
        }
        return try EnginePayloadCodec.decode(result.get().body, version: session.version)
    }

    /// Socket.IO texts received so far (including ones read with the handshake).
    func receiveTexts() throws -> [String] {
        let packets = pending + (try receive())
        pending = []
        return packets.compactMap { packet in
            if case .message(.text(let text)) = packet, text != "__unpark__" { return text }
            return nil
        }
    }

    var isClosed: Bool {
        session.isClosed
    }
}
