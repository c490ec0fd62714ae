import Foundation
import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix
import Testing

/// `io.maxConnectionsPerSecond`: new Engine.IO sessions beyond the rate are answered 503 with `Retry-After`,
/// while requests of sessions already open pass.
@Suite struct HandshakeGateTests {
    @Test func handshakesBeyondTheRateGet503WithRetryAfterAndOpenSessionsGoOn() async throws {
        let logger = Logger(label: "test") { label in
            JSONLinesLogHandler(label: label, logLevel: .info, output: JSONLinesOutput { _ in })
        }
        let site = Site(name: "shop", authentication: .tokens([:]), apiKey: "shop-key-0123456789")
        let settings = HeraldSettings(port: 0, io: IOSettings(maxConnectionsPerSecond: 1, connectionBurst: 2))
        let service = HeraldService(
            configuration: HeraldConfiguration(settings: settings, sites: [site.name: site]),
            hooks: UnusedHooks(),
            store: InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            connectionClock: { .zero }  // stopped: however slow the machine, no token comes back during the test
        )
        let app = HeraldApplication.make(
            service: service,
            assets: StaticAssets(directory: URL(fileURLWithPath: "/nonexistent")),
            logger: logger
        )
        try await app.test(.router) { client in
            let handshake = "/socket.io/?EIO=4&transport=polling"
            let first = try await client.execute(uri: handshake, method: .get)
            #expect(first.status == .ok)
            #expect(try await client.execute(uri: handshake, method: .get).status == .ok)
            let refused = try await client.execute(uri: handshake, method: .get)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "1")
            #expect(String(buffer: refused.body) == #"{"message":"Too many new connections; retry after 1 s"}"#)
            let sid = try #require(String(buffer: first.body).split(separator: "\"").dropFirst(3).first)
            let poll = try await client.execute(uri: "\(handshake)&sid=\(sid)", method: .post, body: ByteBuffer(string: "6"))
            #expect(poll.status == .ok)
        }
    }
}
