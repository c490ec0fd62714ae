import NIOCore
import NIOEmbedded
import Testing

@testable import EngineIO

/// Records what the session tells its delegate.
private final class RecordingDelegate: EngineSessionDelegate {
    var messages: [EngineMessage] = []
    var closeReasons: [EngineCloseReason] = []

    func engineSession(_ session: EngineSession, didReceive message: EngineMessage) {
        messages.append(message)
    }

    func engineSession(_ session: EngineSession, didCloseWith reason: EngineCloseReason) {
        closeReasons.append(reason)
    }
}

/// A polling session on an embedded event loop, so timers run exactly when the test advances time.
private struct PollingHarness {
    let loop = EmbeddedEventLoop()
    let registry = SessionRegistry()
    let delegate = RecordingDelegate()
    let session: EngineSession
    let configuration: EngineConfiguration

    init(
        version: EngineProtocolVersion,
        configuration: EngineConfiguration = .init(pingInterval: .milliseconds(300), pingTimeout: .milliseconds(200))
    ) {
        self.configuration = configuration
        session = EngineSession(
            id: "session-1",
            version: version,
            eventLoop: loop,
            handshake: EngineHandshake(query: [:], headers: [:], remoteAddress: nil, url: "/socket.io/"),
            configuration: configuration,
            registry: registry,
            transport: .polling(supportsBinary: false)
        )
        registry.add(session)
        let delegate = self.delegate
        session.open { $0.delegate = delegate }
    }

    /// Performs a GET and returns the decoded packets, or nil while it is parked.
    func poll() throws -> [EnginePacket]? {
        let result = Box<Result<PollingResponse, any Error>?>(nil)
        session.poll().whenComplete { result.value = $0 }
        loop.run()
        guard let result = result.value else { return nil }
        return try EnginePayloadCodec.decode(result.get().body, version: session.version)
    }

    func post(_ packets: [EnginePacket]) throws {
        let body = EnginePayloadCodec.encode(packets, version: session.version, supportsBinary: false, allocator: .init()).body
        try session.receivePolling(body: body)
    }
}

@Suite struct EngineSessionTests {
    @Test func v4HandshakeAdvertisesTimingAndMaxPayload() throws {
        let harness = PollingHarness(version: .v4)
        let packets = try #require(try harness.poll())
        guard case .open(let json) = packets.first else {
            Issue.record("expected an open packet, got \(packets)")
            return
        }
        #expect(json == #"{"sid":"session-1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#)
    }

    @Test func v3HandshakeHasNoMaxPayload() throws {
        let harness = PollingHarness(version: .v3)
        let packets = try #require(try harness.poll())
        #expect(packets == [.open(#"{"sid":"session-1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200}"#)])
    }

    @Test func v4ServerPingsAndClosesWithoutPong() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        #expect(try harness.poll() == nil, "nothing to send before the ping interval")
        harness.loop.advanceTime(by: .milliseconds(300))
        #expect(harness.delegate.closeReasons.isEmpty)
        harness.loop.advanceTime(by: .milliseconds(200))
        #expect(harness.delegate.closeReasons == [.pingTimeout])
    }

    @Test func v4PongKeepsTheSessionAlive() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        for _ in 0..<3 {
            harness.loop.advanceTime(by: .milliseconds(300))
            #expect(try harness.poll() == [.ping("")])
            try harness.post([.pong("")])
            harness.loop.advanceTime(by: .milliseconds(150))
        }
        #expect(harness.delegate.closeReasons.isEmpty)
    }

    @Test func v3ClientPingGetsPong() throws {
        let harness = PollingHarness(version: .v3)
        _ = try harness.poll()
        try harness.post([.ping("")])
        #expect(try harness.poll() == [.pong("")])
    }

    @Test func v3SilenceBeyondIntervalPlusTimeoutCloses() throws {
        let harness = PollingHarness(version: .v3)
        _ = try harness.poll()
        harness.loop.advanceTime(by: .milliseconds(400))
        try harness.post([.ping("")])
        harness.loop.advanceTime(by: .milliseconds(400))
        #expect(harness.delegate.closeReasons.isEmpty, "each ping restarts the deadline")
        harness.loop.advanceTime(by: .milliseconds(100))
        #expect(harness.delegate.closeReasons == [.pingTimeout])
    }

    @Test func messagesReachTheDelegateInOrder() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        try harness.post([.message(.text("one")), .message(.text("two"))])
        #expect(harness.delegate.messages == [.text("one"), .text("two")])
    }

    @Test func parkedGetIsAnsweredWhenAMessageIsSent() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        let body = Box<ByteBuffer?>(nil)
        harness.session.poll().whenSuccess { body.value = $0.body }
        #expect(body.value == nil)
        harness.session.send(.text("hello"))
        let answer = try #require(body.value)
        #expect(try EnginePayloadCodec.decode(answer, version: .v4) == [.message(.text("hello"))])
    }

    @Test func pollingAnswersCarryAtMostSixteenPacketsEach() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        for index in 0..<40 {
            harness.session.send(.text("\(index)"))
        }
        let batches = try (0..<3).map { _ in try #require(try harness.poll()) }
        #expect(batches.map(\.count) == [16, 16, 8])
        #expect(batches.joined().map { $0 } == (0..<40).map { EnginePacket.message(.text("\($0)")) })
    }

    @Test func overlappingGetClosesTheSession() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        let first = Box<[EnginePacket]?>(nil)
        harness.session.poll().whenSuccess { first.value = try? EnginePayloadCodec.decode($0.body, version: .v4) }
        let secondError = Box<(any Error)?>(nil)
        harness.session.poll().whenFailure { secondError.value = $0 }
        #expect(secondError.value as? EngineError == .badRequest)
        #expect(first.value == [.close], "the parked GET is told the session closed")
        #expect(harness.registry.lookup("session-1") == nil)
        #expect(harness.delegate.closeReasons.count == 1)
    }

    @Test func serverCloseWaitsForTheNextGetThenForgetsTheSession() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        harness.session.send(.text("last words"))
        harness.session.close()
        #expect(harness.delegate.closeReasons == [.forcedClose])
        #expect(harness.registry.lookup("session-1") != nil, "kept until the close packet is fetched")
        #expect(try harness.poll() == [.message(.text("last words")), .close])
        #expect(harness.registry.lookup("session-1") == nil)
    }

    @Test func aShutdownAnswersTheParkedGetWithoutACloseAndForgetsTheSessionSoTheClientReconnects() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        let parked = Box<[EnginePacket]?>(nil)
        harness.session.poll().whenSuccess { parked.value = try? EnginePayloadCodec.decode($0.body, version: .v4) }
        harness.session.closeForShutdown()
        #expect(parked.value == [.noop], "python-socketio takes a close packet as final and never reconnects")
        #expect(harness.registry.lookup("session-1") == nil)
        #expect(harness.delegate.closeReasons == [.forcedClose])
        let next = Box<(any Error)?>(nil)
        harness.session.poll().whenFailure { next.value = $0 }
        #expect(next.value as? EngineError == .badRequest)
    }

    @Test func anOrdinaryServerCloseStillAnswersTheParkedGetWithAClosePacket() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        let parked = Box<[EnginePacket]?>(nil)
        harness.session.poll().whenSuccess { parked.value = try? EnginePayloadCodec.decode($0.body, version: .v4) }
        harness.session.close(reason: .forcedClose)
        #expect(parked.value == [.close])
    }

    @Test func malformedPostClosesTheSession() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        #expect(throws: EngineError.badRequest) {
            try harness.session.receivePolling(body: ByteBuffer(string: "9nonsense"))
        }
        guard case .parseError = harness.delegate.closeReasons.first else {
            Issue.record("expected a parse error close, got \(harness.delegate.closeReasons)")
            return
        }
    }

    @Test func clientClosePacketReleasesTheParkedGetWithANoopAndForgetsTheSession() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        let parked = Box<[EnginePacket]?>(nil)
        harness.session.poll().whenSuccess { parked.value = try? EnginePayloadCodec.decode($0.body, version: .v4) }
        try harness.post([.close])
        #expect(parked.value == [.noop], "the reference server ends the waiting GET with a noop, not a close packet")
        #expect(harness.registry.lookup("session-1") == nil)
        #expect(harness.delegate.closeReasons == [.transportClose])
    }

    @Test func clientClosePacketDropsWhatWasQueued() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        harness.session.send(.text("never fetched"))
        try harness.post([.close])
        #expect(harness.registry.lookup("session-1") == nil, "gone at once, not kept for the queued message")
    }

    @Test func pingTimeoutForgetsTheSessionWithoutWaitingForAGet() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        harness.loop.advanceTime(by: .milliseconds(500))
        #expect(harness.delegate.closeReasons == [.pingTimeout])
        #expect(harness.registry.lookup("session-1") == nil, "the next request is answered 400, not a close packet")
    }

    @Test func pingTimeoutAnswersAParkedGetWithTheClosePacket() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        harness.loop.advanceTime(by: .milliseconds(300))
        #expect(try harness.poll() == [.ping("")])
        let parked = Box<[EnginePacket]?>(nil)
        harness.session.poll().whenSuccess { parked.value = try? EnginePayloadCodec.decode($0.body, version: .v4) }
        harness.loop.advanceTime(by: .milliseconds(200))
        #expect(parked.value == [.close])
        #expect(harness.registry.lookup("session-1") == nil)
    }

    @Test func malformedPostForgetsTheSessionAtOnce() throws {
        let harness = PollingHarness(version: .v4)
        _ = try harness.poll()
        harness.session.send(.text("queued"))
        #expect(throws: EngineError.badRequest) {
            try harness.session.receivePolling(body: ByteBuffer(string: "abc"))
        }
        #expect(harness.registry.lookup("session-1") == nil)
    }

    @Test func outboundQueueIsBounded() throws {
        let configuration = EngineConfiguration(pingInterval: .seconds(30), pingTimeout: .seconds(30), maxOutboundBufferBytes: 1_000)
        let harness = PollingHarness(version: .v4, configuration: configuration)
        _ = try harness.poll()
        for _ in 0..<20 {
            harness.session.send(.text(String(repeating: "x", count: 100)))
        }
        guard case .transportError = harness.delegate.closeReasons.first else {
            Issue.record("a client that never polls must be cut off, got \(harness.delegate.closeReasons)")
            return
        }
    }
}

/// Mutable test state captured by `@Sendable` callbacks; the embedded loop runs them on the test's thread.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
