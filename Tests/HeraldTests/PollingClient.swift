import NIOCore
import Testing

@testable import EngineIO
@testable import Herald

/// An Engine.IO v4 polling client driven in process: every call runs on the session's event loop, as a request would.
struct PollingClient {
    let session: EngineSession

    init(engine: EngineServer, loop: any EventLoop, query: [String: String]) async throws {
        let session = engine.makeSession(
            version: .v4,
            eventLoop: loop,
            handshake: EngineHandshake(query: query, headers: [:], remoteAddress: nil, url: "/socket.io/"),
            transport: .polling(supportsBinary: false)
        )
        try await loop.submit { engine.announce(session) }.get()
        _ = try await loop.flatSubmit { session.poll() }.get()
        self.session = session
    }

    /// Sends one Socket.IO packet (`0/shop,` is a CONNECT: the codec adds Engine.IO's message type `4`).
    func send(_ text: String) async throws {
        let body = EnginePayloadCodec.encode([.message(.text(text))], version: .v4, supportsBinary: false, allocator: .init()).body
        let session = self.session
        try await session.eventLoop.submit { try session.receivePolling(body: body) }.get()
    }

    /// Polls (at most 20 times) until a Socket.IO text satisfies `done`; returns every text read.
    func receive(until done: (String) -> Bool) async throws -> [String] {
        var texts: [String] = []
        let session = self.session
        for _ in 0..<20 {
            let response = try await session.eventLoop.flatSubmit { session.poll() }.get()
            for packet in try EnginePayloadCodec.decode(response.body, version: .v4) {
                if case .message(.text(let text)) = packet { texts.append(text) }
            }
            if texts.contains(where: done) { return texts }
        }
        Issue.record("never received what was awaited; got \(texts)")
        return texts
    }
}
