import Foundation
import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix

/// A Herald application on one `shop` site (tokens, user rooms) with its own metrics registry, for the `/metrics`
/// and `/admin` tests.
enum ObservabilityTestApp {
    static let site = Site(
        name: "shop",
        authentication: .tokens(["token-of-user-one-0001": ["user_1", "news"]]),
        apiKey: "shop-key-0123456789",
        userRoomPrefix: "user_"
    )
    static let adminKey = "admin-key-0123456789abcdef"
    /// The page files in the source tree.
    static let publicDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/HeraldServer/Resources/Public")

    static func run(
        adminKey: String? = nil,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let logger = Logger(label: "test") { label in
            JSONLinesLogHandler(label: label, logLevel: .critical, output: JSONLinesOutput { _ in })
        }
        let metrics = ServerMetrics()
        let settings = HeraldSettings(port: 0, adminKey: adminKey)
        let service = HeraldService(
            configuration: HeraldConfiguration(settings: settings, sites: [site.name: site]),
            hooks: UnusedHooks(),
            store: InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            metrics: metrics.herald
        )
        let app = HeraldApplication.make(
            service: service,
            assets: StaticAssets(directory: publicDirectory),
            metrics: metrics,
            logger: logger
        )
        try await app.test(.router) { client in try await body(client) }
    }

    /// Posts `body` to `/send` on the shop site with `key`.
    static func send(_ client: any TestClientProtocol, key: String, body: String) async throws -> HTTPResponse.Status {
        try await client.execute(
            uri: "/send?site=shop&apiKey=\(key)",
            method: .post,
            headers: [.contentType: "application/json"],
            body: ByteBuffer(string: body)
        ).status
    }
}
