import Foundation
import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix
import Testing

/// `POST /send` under per-site limits: 413 over the site's `maxPayloadBytes`, 429 with `Retry-After` over its
/// `maxSendsPerSecond`, and a site without limits unaffected.
@Suite struct SendLimitsTests {
    private static let limited = Site(
        name: "limited",
        authentication: .tokens([:]),
        apiKey: "limited-key-0123456789",
        limits: SiteLimits(maxSendsPerSecond: 2, maxPayloadBytes: 80)
    )
    private static let free = Site(name: "free", authentication: .tokens([:]), apiKey: "free-key-0123456789")
    private static let json: HTTPFields = [.contentType: "application/json"]

    private func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let logger = Logger(label: "test") { label in
            JSONLinesLogHandler(label: label, logLevel: .info, output: JSONLinesOutput { _ in })
        }
        let service = HeraldService(
            configuration: HeraldConfiguration(
                settings: HeraldSettings(port: 0, maxSendBodyBytes: 1_024),
                sites: [Self.limited.name: Self.limited, Self.free.name: Self.free]
            ),
            hooks: UnusedHooks(),
            store: InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            // Time stands still: the requests of a test take no token back, however slow the machine.
            sendLimiter: SiteSendLimiter(now: { .zero })
        )
        let app = HeraldApplication.make(
            service: service,
            assets: StaticAssets(directory: URL(fileURLWithPath: "/nonexistent")),
            logger: logger
        )
        try await app.test(.router) { client in try await body(client) }
    }

    private static func send(_ client: any TestClientProtocol, site: Site, text: String = "hi") async throws -> TestResponse {
        try await client.execute(
            uri: "/send?site=\(site.name)&apiKey=\(site.apiKey)",
            method: .post,
            headers: json,
            body: ByteBuffer(string: #"{"rooms":["news"],"event":"message","args":["\#(text)"]}"#)
        )
    }

    @Test func sendsOverTheSiteRateGet429WithRetryAfterWhileAnotherSiteGoesOn() async throws {
        try await withApp { client in
            #expect(try await Self.send(client, site: Self.limited).status == .ok)
            #expect(try await Self.send(client, site: Self.limited).status == .ok)
            let refused = try await Self.send(client, site: Self.limited)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "1")
            #expect(
                String(buffer: refused.body)
                    == "Too many sends: site 'limited' allows 2 messages per second; nothing was sent. Retry after 1 s."
            )
            for _ in 0..<5 {
                #expect(try await Self.send(client, site: Self.free).status == .ok)
            }
        }
    }

    @Test func aBatchTakesOneRateTokenPerMessage() async throws {
        try await withApp { client in
            let batch = try await client.execute(
                uri: "/send?site=\(Self.limited.name)&apiKey=\(Self.limited.apiKey)",
                method: .post,
                headers: Self.json,
                body: ByteBuffer(string: #"[{"rooms":["a"],"event":"e"},{"rooms":["a"],"event":"e"}]"#)
            )
            #expect(batch.status == .ok)
            #expect(try await Self.send(client, site: Self.limited).status == .tooManyRequests)
        }
    }

    @Test func bodiesOverTheSitePayloadLimitAre413AndOtherSitesKeepTheGlobalLimit() async throws {
        try await withApp { client in
            let text = String(repeating: "x", count: 100)
            let refused = try await Self.send(client, site: Self.limited, text: text)
            #expect(refused.status == .contentTooLarge)
            #expect(String(buffer: refused.body) == "Payload too large: the body limit is 80 bytes.")
            #expect(try await Self.send(client, site: Self.free, text: text).status == .ok)
            let overGlobal = try await Self.send(client, site: Self.free, text: String(repeating: "x", count: 1_100))
            #expect(String(buffer: overGlobal.body) == "Payload too large: the body limit is 1024 bytes.")
        }
    }
}
