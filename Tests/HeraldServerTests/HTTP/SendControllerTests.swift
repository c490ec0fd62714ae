import Foundation
import Herald
import HeraldServer
import HookClient
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing

@Suite struct SendControllerTests {
    private static let site = Site(
        name: "shop",
        authentication: .tokens(["token-of-user-one-0001": ["user_1", "news"]]),
        apiKey: "shop-key-0123456789",
        userRoomPrefix: "user_"
    )

    private func withApp(
        maxBodyBytes: Int = 1_024,
        store: any MessageStore = InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
        idempotency: any IdempotencyStore = InMemoryIdempotencyStore(),
        _ body: @Sendable (any TestClientProtocol, CapturedLines) async throws -> Void
    ) async throws {
        let lines = CapturedLines()
        let logger = Logger(label: "test") { label in
            JSONLinesLogHandler(label: label, logLevel: .info, output: JSONLinesOutput { lines.append($0) })
        }
        let settings = HeraldSettings(port: 0, maxSendBodyBytes: maxBodyBytes)
        let service = HeraldService(
            configuration: HeraldConfiguration(settings: settings, sites: [Self.site.name: Self.site]),
            hooks: UnusedHooks(),
            store: store,
            idempotency: idempotency,
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
        let app = HeraldApplication.make(
            service: service,
            assets: StaticAssets(directory: URL(fileURLWithPath: "/nonexistent")),
            logger: logger
        )
        try await app.test(.router) { client in try await body(client, lines) }
    }

    private static let validBody = ByteBuffer(string: #"{"rooms":["news"],"event":"message","args":[{"text":"hi"}]}"#)
    private static let json: HTTPFields = [.contentType: "application/json"]

    @Test func missingSiteOrKeyIsTheNodeService400() async throws {
        try await withApp { client, _ in
            for uri in ["/send", "/send?site=shop", "/send?apiKey=shop-key-0123456789", "/send?site=&apiKey=x"] {
                let response = try await client.execute(uri: uri, method: .post, headers: Self.json, body: Self.validBody)
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body) == "Missing query param 'site' or 'apiKey'.")
            }
        }
    }

    @Test func wrongKeyAndUnknownSiteAreTheNodeService401() async throws {
        try await withApp { client, _ in
            for uri in ["/send?site=shop&apiKey=wrong", "/send?site=nope&apiKey=shop-key-0123456789"] {
                let response = try await client.execute(uri: uri, method: .post, headers: Self.json, body: Self.validBody)
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body) == "ApiKey invalid.")
            }
        }
    }

    @Test func keyInQueryOrBearerHeaderIsAccepted() async throws {
        try await withApp { client, _ in
            let query = try await client.execute(
                uri: "/send?site=shop&apiKey=shop-key-0123456789",
                method: .post,
                headers: Self.json,
                body: Self.validBody
            )
            #expect(query.status == .ok)
            #expect(String(buffer: query.body) == "OK")
            var headers = Self.json
            headers[.authorization] = "Bearer shop-key-0123456789"
            let bearer = try await client.execute(uri: "/send?site=shop", method: .post, headers: headers, body: Self.validBody)
            #expect(bearer.status == .ok)
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await withApp(maxBodyBytes: 64) { client, _ in
            let big = ByteBuffer(string: #"{"rooms":["news"],"event":"message","args":[""# + String(repeating: "x", count: 200) + #""]}"#)
            let response = try await client.execute(
                uri: "/send?site=shop&apiKey=shop-key-0123456789",
                method: .post,
                headers: Self.json,
                body: big
            )
            #expect(response.status == .contentTooLarge)
            #expect(String(buffer: response.body).contains("64 bytes"))
        }
    }

    @Test func malformedBodyIs400WithTheReason() async throws {
        try await withApp { client, _ in
            let response = try await client.execute(
                uri: "/send?site=shop&apiKey=shop-key-0123456789",
                method: .post,
                headers: Self.json,
                body: ByteBuffer(string: #"{"rooms":["news"]}"#)
            )
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body) == "Missing 'event'")
        }
    }

    @Test func formBodyIsAccepted() async throws {
        try await withApp { client, _ in
            let response = try await client.execute(
                uri: "/send?site=shop&apiKey=shop-key-0123456789",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "rooms[]=news&event=message&args[0][text]=hi")
            )
            #expect(response.status == .ok)
        }
    }

    @Test func logsCarryTheNodeServiceFieldsAndNeverTheKey() async throws {
        try await withApp { client, lines in
            _ = try await client.execute(
                uri: "/send?site=shop&apiKey=shop-key-0123456789",
                method: .post,
                headers: Self.json,
                body: Self.validBody
            )
            _ = try await client.execute(
                uri: "/send?site=shop&apiKey=wrong-key-value",
                method: .post,
                headers: Self.json,
                body: Self.validBody
            )
            let all = lines.all
            #expect(!all.joined().contains("shop-key-0123456789"))
            #expect(!all.joined().contains("wrong-key-value"))
            let sent = try #require(all.first { $0.contains("message sent") })
            let object = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
            #expect(object["site"] as? String == "shop")
            #expect(object["event"] as? String == "message")
            #expect(object["rooms"] as? [String] == ["news"])
            #expect((object["requestId"] as? String)?.isEmpty == false)
            #expect(object["level"] as? String == "info")
        }
    }

    @Test func healthcheckAnswersOk() async throws {
        try await withApp { client, _ in
            let response = try await client.execute(uri: "/healthcheck", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "ok")
        }
    }
}

/// Log lines written during a test.
final class CapturedLines: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
    var all: [String] { lines.withLockedValue { $0 } }
}

/// Hooks for tests whose sites never call out.
struct UnusedHooks: HookTransport {
    func perform(_ request: HookRequest) async throws(HookError) -> HookResponse {
        throw .transportFailed(reason: "no hooks in this test")
    }
}
