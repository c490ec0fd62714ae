import HookClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SocketIO
import Testing

@testable import EngineIO
@testable import Herald

/// A site's `recovery:` as its clients see it: offsets on Herald's own events, `_offset` after deliveries with an
/// ack, rooms kept without `authUrl` (`skipAuth`) or granted again, and device messages from `_batch`, once.
@Suite(.timeLimit(.minutes(1))) struct SiteRecoveryTests {
    private static let token = "token-of-user-one-0001"

    private static func shop(skipAuth: Bool) -> Site {
        Site(
            name: "shop",
            authentication: .authURL("http://auth.invalid/rooms"),
            apiKey: "shop-key-0123456789",
            userRoomPrefix: "user_",
            recovery: SiteRecovery(skipAuth: skipAuth)
        )
    }

    private static let feed = Site(
        name: "feed",
        authentication: .authURL("http://auth.invalid/rooms"),
        apiKey: "feed-key-0123456789",
        recovery: SiteRecovery(skipAuth: false)
    )

    /// `authUrl` answers the rooms of `grants` in turn (the last one from then on).
    private final class Grants: Sendable {
        private let answers: NIOLockedValueBox<[String]>
        init(_ answers: [String]) { self.answers = NIOLockedValueBox(answers) }
        func next() -> String {
            answers.withLockedValue { answers in answers.count > 1 ? answers.removeFirst() : answers[0] }
        }
    }

    private func makeService(_ site: Site, grants: Grants, group: MultiThreadedEventLoopGroup) -> (HeraldService, FakeHooks) {
        let hooks = FakeHooks { _ throws(HookError) in HookResponse(status: 200, body: Array(grants.next().utf8)) }
        let service = HeraldService(
            configuration: HeraldConfiguration(settings: HeraldSettings(port: 0), sites: [site.name: site]),
            hooks: hooks,
            store: InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            eventLoopGroup: group
        )
        return (service, hooks)
    }

    private struct Connected {
        let client: PollingClient
        let sid: String
        let pid: String
        let texts: [String]
    }

    private func connect(
        _ service: HeraldService,
        site: String,
        query: [String: String],
        auth: String = "",
        group: MultiThreadedEventLoopGroup
    )
        async throws -> Connected
    {
        let client = try await PollingClient(engine: service.engine, loop: group.next(), query: query)
        try await client.send("0/\(site)," + auth)
        let texts = try await client.receive(until: { $0.hasPrefix("2/\(site),[\"_settings\"") })
        let answer = try #require(texts.first { $0.hasPrefix("0/\(site),") })
        let fields = try JSONValue(parsing: String(answer.dropFirst("0/\(site),".count)))
        return Connected(client: client, sid: fields["sid"]?.stringValue ?? "", pid: fields["pid"]?.stringValue ?? "", texts: texts)
    }

    private func drop(_ connected: Connected) async throws {
        let session = connected.client.session
        try await session.eventLoop.submit { session.close(reason: .transportClose) }.get()
    }

    @Test func settingsCarryTheOffsetAndDeliveriesWithAnAckAreFollowedByTheNewOffset() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let site = Self.shop(skipAuth: true)
        let (service, _) = makeService(site, grants: Grants([#"["user_1","news"]"#]), group: group)
        let phone = try await connect(service, site: "shop", query: ["token": Self.token, "deviceId": "phone"], group: group)
        let deviceTTL = HeraldSettings(port: 0).deviceTTL
        #expect(phone.texts.contains(#"2/shop,["_settings",{"device_ttl":\#(deviceTTL)},"0"]"#), "\(phone.texts)")

        _ = try await service.delivery.send(SendRequest(rooms: ["lobby"], event: "news", arguments: [.string("for the lobby")]), on: site)
        _ = try await service.delivery.send(SendRequest(rooms: ["user_1"], event: "news", arguments: [.string("for the user")]), on: site)
        let texts = try await phone.client.receive(until: { $0.hasPrefix(#"2/shop,["_offset""#) })
        #expect(texts.contains { $0.hasSuffix(#"["news","for the user"]"#) && $0.hasPrefix("2/shop,") }, "\(texts)")
        #expect(texts.last == #"2/shop,["_offset","1"]"#)
        try await group.shutdownGracefully()
    }

    @Test func aRecoveredDeviceKeepsItsRoomsWithoutAuthURLAndGetsItsMessagesOnceFromBatch() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let site = Self.shop(skipAuth: true)
        let (service, hooks) = makeService(site, grants: Grants([#"["user_1","news"]"#]), group: group)
        let query = ["token": Self.token, "deviceId": "phone"]
        let first = try await connect(service, site: "shop", query: query, group: group)
        try await drop(first)
        _ = try await service.delivery.send(SendRequest(rooms: ["news"], event: "news", arguments: [.string("while away")]), on: site)

        let second = try await connect(service, site: "shop", query: query, auth: #"{"pid":"\#(first.pid)","offset":"0"}"#, group: group)
        #expect(second.sid == first.sid)
        #expect(second.pid == first.pid)
        #expect(hooks.requests.count == 1, "authUrl was asked again")
        _ = try await service.delivery.send(SendRequest(rooms: ["news"], event: "news", arguments: [.string("sentinel")]), on: site)
        let texts = second.texts + (try await second.client.receive(until: { $0.contains("sentinel") }))
        #expect(texts.filter { $0.contains("while away") }.count == 1, "\(texts)")
        #expect(texts.contains { $0.contains(#"["_batch",[["news","while away"]]]"#) }, "\(texts)")
        try await group.shutdownGracefully()
    }

    @Test func withoutSkipAuthARecoveredClientKeepsOnlyTheRoomsGrantedNowAndNoEventOfTheOthers() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (service, hooks) = makeService(Self.feed, grants: Grants([#"["news","sports"]"#, #"["sports"]"#]), group: group)
        let first = try await connect(service, site: "feed", query: ["token": Self.token], group: group)
        try await drop(first)
        let send = { (room: String, text: String) in
            _ = try await service.delivery.send(SendRequest(rooms: [room], event: "e", arguments: [.string(text)]), on: Self.feed)
        }
        try await send("news", "news while away")
        try await send("sports", "sports while away")

        let second = try await connect(
            service,
            site: "feed",
            query: ["token": Self.token],
            auth: #"{"pid":"\#(first.pid)","offset":"0"}"#,
            group: group
        )
        #expect(second.sid == first.sid)
        #expect(second.pid == first.pid)
        #expect(hooks.requests.count == 2)
        try await send("news", "news later")
        try await send("sports", "sentinel")
        let texts = second.texts + (try await second.client.receive(until: { $0.contains("sentinel") }))
        let events = texts.filter { $0.hasPrefix(#"2/feed,["e""#) }
        #expect(events == [#"2/feed,["e","sports while away","2"]"#, #"2/feed,["e","sentinel","4"]"#])
        try await group.shutdownGracefully()
    }
}
