import Foundation
import Herald
import HeraldServer
import Logging
import NIOPosix
import Testing

@Suite struct PublishedMessageHandlerTests {
    private static let site = Site(
        name: "shop",
        authentication: .tokens(["token-of-user-one-0001": ["user_1", "news"]]),
        apiKey: "shop-key-0123456789",
        userRoomPrefix: "user_"
    )

    private func makeService(store: any MessageStore, lines: CapturedLines) -> HeraldService {
        let logger = Logger(label: "test") { label in
            JSONLinesLogHandler(label: label, logLevel: .info, output: JSONLinesOutput { lines.append($0) })
        }
        return HeraldService(
            configuration: HeraldConfiguration(settings: HeraldSettings(port: 0), sites: [Self.site.name: Self.site]),
            hooks: UnusedHooks(),
            store: store,
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
    }

    private func handle(_ service: HeraldService, _ text: String) async -> SendOutcome {
        await service.publishedMessages.handle(Array(text.utf8))
    }

    @Test func validMessageIsStoredAndSentLikeASend() async throws {
        let store = InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60))
        let phone = DeviceKey(site: "shop", userRoom: "user_1", deviceID: "phone")
        _ = try await store.connect(phone, sharedRooms: ["news"])
        try await store.disconnect(phone)
        let service = makeService(store: store, lines: CapturedLines())
        let outcome = await handle(service, #"{"site":"shop","rooms":["news"],"event":"news","args":["hi"]}"#)
        guard case .sent(let report) = outcome else {
            Issue.record("not sent: \(outcome)")
            return
        }
        #expect(report.userRooms == ["user_1"])
        #expect(try await store.connect(phone, sharedRooms: []).messages.map(\.event) == ["news"])
    }

    @Test func invalidMessagesAreLoggedWithTheReasonAndDropped() async throws {
        let lines = CapturedLines()
        let service = makeService(store: InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)), lines: lines)
        guard case .invalid(let error) = await handle(service, "{oops"), error.reason.hasPrefix("Invalid JSON") else {
            Issue.record("unreadable JSON was not refused as such")
            return
        }
        #expect(await handle(service, #"{"site":"other","rooms":["a"],"event":"e"}"#) == .invalid(SendRequestError("Unknown site 'other'")))
        #expect(
            await handle(service, #"{"site":"shop","rooms":[],"event":"e"}"#) == .invalid(SendRequestError("'rooms' must not be empty"))
        )
        let dropped = lines.all.filter { $0.contains("published message dropped") }
        #expect(dropped.count == 3)
        #expect(dropped.allSatisfy { $0.contains(#""channel":"herald:send""#) && $0.contains(#""level":"warning""#) })
        #expect(dropped[1].contains("Unknown site 'other'"))
        guard case .sent = await handle(service, #"{"site":"shop","rooms":["news"],"event":"e"}"#) else {
            Issue.record("a valid message after invalid ones was not sent")
            return
        }
    }
}
