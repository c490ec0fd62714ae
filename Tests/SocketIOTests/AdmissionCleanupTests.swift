import NIOConcurrencyHelpers
import Testing

@testable import EngineIO
@testable import SocketIO

/// What a middleware reserves for a socket (a counter slot, a subscription) is released through `onDisconnect`
/// however the admission ends, so nothing leaks when a client never gets connected.
@Suite struct AdmissionCleanupTests {
    @Test func middlewareHandlerRunsWhenTheClientGoesAwayDuringAdmission() async throws {
        let harness = LiveSocketServerHarness()
        let reasons = NIOLockedValueBox<[DisconnectReason]>([])
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let admitted = NIOLockedValueBox(false)
        harness.io.of("/site").use { socket in
            socket.onDisconnect { _, reason in reasons.withLockedValue { $0.append(reason) } }
            admitted.withLockedValue { $0 = true }
            for await _ in gate { break }
        }
        let session = try await harness.connectClient()
        try await harness.send("0/site,", on: session)
        try await waitUntil { admitted.withLockedValue { $0 } }
        #expect(admitted.withLockedValue { $0 }, "the middleware never ran")
        try await session.eventLoop.submit { session.close() }.get()
        opener.yield()
        try await waitUntil { !reasons.withLockedValue { $0 }.isEmpty }
        #expect(reasons.withLockedValue { $0 } == [.transportClose])
        #expect(harness.io.of("/site").localSocketCount == 0)
        try await harness.shutdown()
    }

    @Test func middlewareHandlerRunsWhenALaterMiddlewareRefuses() async throws {
        let harness = LiveSocketServerHarness()
        let reasons = NIOLockedValueBox<[DisconnectReason]>([])
        let namespace = harness.io.of("/site")
        namespace.use { socket in socket.onDisconnect { _, reason in reasons.withLockedValue { $0.append(reason) } } }
        namespace.use { _ in throw ConnectError("Refused") }
        let session = try await harness.connectClient()
        try await harness.send("0/site,", on: session)
        #expect(try await harness.receiveTexts(on: session) == [#"4/site,{"message":"Refused"}"#])
        #expect(reasons.withLockedValue { $0 } == [.serverNamespaceDisconnect])
        try await harness.shutdown()
    }

    /// Polls `condition` every 10 ms for up to 10 s (a busy machine can be slow, a hung test must still end).
    private func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<1000 where !condition() {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
