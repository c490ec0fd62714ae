import Foundation
import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix
import Testing

/// `GET /presence` through the router: credentials as `/send`, `room` required, 404 on a site without presence, and
/// the store's members sorted.
@Suite struct PresenceControllerTests {
    private static let live = Site(
        name: "live",
        authentication: .tokens(["token-of-user-one-0001": ["user_1", "news"]]),
        apiKey: "live-key-0123456789",
        userRoomPrefix: "user_",
        presence: SitePresence(graceSeconds: 1)
    )
    private static let quiet = Site(
        name: "quiet",
        authentication: .tokens(["token-of-user-one-0001": ["user_1", "news"]]),
        apiKey: "quiet-key-0123456789",
        userRoomPrefix: "user_"
    )

    private func withApp(_ body: @Sendable (any TestClientProtocol, InMemoryPresenceStore) async throws -> Void) async throws {
        let logger = Logger(label: "test")
        let presence = InMemoryPresenceStore()
        let service = HeraldService(
            configuration: HeraldConfiguration(
                settings: HeraldSettings(port: 0),
                sites: [Self.live.name: Self.live, Self.quiet.name: Self.quiet]
            ),
            hooks: UnusedHooks(),
            store: InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
            presenceStore: presence,
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
        let app = HeraldApplication.make(
            service: service,
            assets: StaticAssets(directory: URL(fileURLWithPath: "/nonexistent")),
            logger: logger
        )
        try await app.test(.router) { client in try await body(client, presence) }
    }

    @Test func membersAreListedSortedByUserThenDevice() async throws {
        try await withApp { client, presence in
            for (user, device) in [("2", "z"), ("1", "phone"), ("1", "laptop")] {
                _ = try await presence.arrive(PresenceMember(user: user, deviceID: device), site: "live", rooms: ["news"])
            }
            let response = try await client.execute(uri: "/presence?site=live&room=news&apiKey=live-key-0123456789", method: .get)
            #expect(response.status == .ok)
            let listing = try JSONDecoder().decode(Listing.self, from: Data(buffer: response.body))
            #expect(listing.room == "news")
            #expect(listing.members.map { "\($0.user)/\($0.deviceId)" } == ["1/laptop", "1/phone", "2/z"])
        }
    }

    @Test func refusalsNameWhatIsWrong() async throws {
        try await withApp { client, _ in
            let cases: [(String, HTTPResponse.Status)] = [
                ("/presence?site=live&room=news", .badRequest),
                ("/presence?site=live&room=news&apiKey=wrong", .unauthorized),
                ("/presence?site=live&apiKey=live-key-0123456789", .badRequest),
                ("/presence?site=quiet&room=news&apiKey=quiet-key-0123456789", .notFound),
            ]
            for (uri, status) in cases {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == status, "\(uri)")
            }
            let bearer = try await client.execute(
                uri: "/presence?site=live&room=news",
                method: .get,
                headers: [.authorization: "Bearer live-key-0123456789"]
            )
            #expect(try JSONDecoder().decode(Listing.self, from: Data(buffer: bearer.body)) == Listing(room: "news", members: []))
        }
    }
}

/// The body of a `GET /presence` answer.
private struct Listing: Decodable, Equatable {
    struct Member: Decodable, Equatable {
        let user: String
        let deviceId: String
    }

    let room: String
    let members: [Member]
}
