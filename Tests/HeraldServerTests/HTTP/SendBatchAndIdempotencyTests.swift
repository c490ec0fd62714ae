import Foundation
import HTTPTypes
import Herald
import HeraldServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import Testing

@Suite struct SendBatchAndIdempotencyTests {
    private static let site = Site(
        name: "shop",
        authentication: .tokens(["token-of-user-one-0001": ["user_1", "news"]]),
        apiKey: "shop-key-0123456789",
        userRoomPrefix: "user_"
    )
    private static let uri = "/send?site=shop&apiKey=shop-key-0123456789"
    private static let json: HTTPFields = [.contentType: "application/json"]

    private func withApp(
        store: any MessageStore = InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60)),
        idempotency: any IdempotencyStore = InMemoryIdempotencyStore(),
        maxBatchSize: Int = SendRequestParser.maxBatchSize,
        _ body: @Sendable (any TestClientProtocol, CapturedLines) async throws -> Void
    ) async throws {
        let lines = CapturedLines()
        let logger = Logger(label: "test") { label in
            JSONLinesLogHandler(label: label, logLevel: .info, output: JSONLinesOutput { lines.append($0) })
        }
        let service = HeraldService(
            configuration: HeraldConfiguration(settings: HeraldSettings(port: 0), sites: [Self.site.name: Self.site]),
            hooks: UnusedHooks(),
            store: store,
            idempotency: idempotency,
            logger: logger,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton
        )
        let router = Router()
        SendController(service: service, maxBodyBytes: 1 << 20, maxBatchSize: maxBatchSize, logger: logger).register(on: router)
        try await Application(router: router).test(.router) { client in try await body(client, lines) }
    }

    private func post(_ client: any TestClientProtocol, _ body: String, key: String? = nil) async throws -> TestResponse {
        var headers = Self.json
        if let key {
            headers[HTTPField.Name("Idempotency-Key")!] = key
        }
        return try await client.execute(uri: Self.uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    private struct Entry: Decodable, Equatable {
        var status: Int
        var message: String?
        var error: String?
    }

    private func entries(_ response: TestResponse) throws -> [Entry] {
        try JSONDecoder().decode([Entry].self, from: Data(String(buffer: response.body).utf8))
    }

    private static func sentCount(_ lines: CapturedLines) -> Int {
        lines.all.filter { $0.contains("\"message sent\"") }.count
    }

    @Test func batchAnswersOneJSONEntryPerMessageAndSendsTheGoodOnes() async throws {
        try await withApp { client, lines in
            let response = try await post(
                client,
                #"[{"rooms":["news"],"event":"a"},{"rooms":["news"]},{"rooms":["user_1"],"event":"c","args":[1]}]"#
            )
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(
                try entries(response) == [
                    Entry(status: 200, message: "OK"),
                    Entry(status: 400, error: "Missing 'event'"),
                    Entry(status: 200, message: "OK"),
                ]
            )
            #expect(
                String(buffer: response.body)
                    == #"[{"status":200,"message":"OK"},{"status":400,"error":"Missing 'event'"},{"status":200,"message":"OK"}]"#
            )
            #expect(Self.sentCount(lines) == 2)
        }
    }

    @Test func batchOverTheLimitIs413AndSendsNothing() async throws {
        try await withApp(maxBatchSize: 2) { client, lines in
            let item = #"{"rooms":["news"],"event":"a"}"#
            let response = try await post(client, "[\(item),\(item),\(item)]")
            #expect(response.status == .contentTooLarge)
            #expect(String(buffer: response.body) == "Too many messages: the array holds 3, at most 2 are accepted per request.")
            #expect(Self.sentCount(lines) == 0)
        }
    }

    @Test func storeOutageAnswersASingleSend503WithRetryAfter() async throws {
        let store = FailingStore(successfulEnqueues: 0)
        try await withApp(store: store) { client, lines in
            let response = try await post(client, #"{"rooms":["user_1"],"event":"a"}"#)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            #expect(Self.sentCount(lines) == 0)
        }
    }

    @Test func storeOutageMidBatchMarksTheUnsentMessages503() async throws {
        let store = FailingStore(successfulEnqueues: 1)
        try await withApp(store: store) { client, lines in
            let item = #"{"rooms":["user_1"],"event":"a"}"#
            let response = try await post(client, "[\(item),\(item),\(item)]")
            #expect(response.status == .ok)
            #expect(response.headers[.retryAfter] == "5")
            let statuses = try entries(response).map(\.status)
            #expect(statuses == [200, 503, 503])
            #expect(store.enqueueAttempts == 2)
            #expect(Self.sentCount(lines) == 1)
        }
    }

    @Test func retryWithTheSameKeyReplaysTheAnswerAndSendsNothing() async throws {
        try await withApp { client, lines in
            let body = #"[{"rooms":["news"],"event":"a"},{"event":"b"}]"#
            let first = try await post(client, body, key: "order-1")
            let second = try await post(client, body, key: "order-1")
            #expect(first.status == .ok && second.status == .ok)
            #expect(String(buffer: second.body) == String(buffer: first.body))
            #expect(second.headers[.contentType] == "application/json")
            #expect(first.headers[HTTPField.Name("Idempotency-Replayed")!] == nil)
            #expect(second.headers[HTTPField.Name("Idempotency-Replayed")!] == "true")
            #expect(Self.sentCount(lines) == 1)
            let single = try await post(client, #"{"rooms":["news"],"event":"a"}"#, key: "order-2")
            let again = try await post(client, #"{"rooms":["news"],"event":"a"}"#, key: "order-2")
            #expect(String(buffer: again.body) == "OK" && again.headers[.contentType] == single.headers[.contentType])
            #expect(Self.sentCount(lines) == 2)
        }
    }

    @Test func duplicateWhileTheFirstIsInFlightIs409() async throws {
        let idempotency = InMemoryIdempotencyStore()
        let key = try #require(IdempotencyKey(site: "shop", header: "order-9"))
        guard case .started = try await idempotency.begin(key) else {
            Issue.record("could not claim the key")
            return
        }
        try await withApp(idempotency: idempotency) { client, lines in
            let response = try await post(client, #"{"rooms":["news"],"event":"a"}"#, key: "order-9")
            #expect(response.status == .conflict)
            #expect(String(buffer: response.body).contains("still being processed"))
            #expect(Self.sentCount(lines) == 0)
        }
    }

    @Test func failedRequestsAreNotRememberedSoTheyCanBeRetried() async throws {
        let store = FailingStore(successfulEnqueues: 0)
        try await withApp(store: store) { client, _ in
            let body = #"{"rooms":["user_1"],"event":"a"}"#
            let first = try await post(client, body, key: "order-3")
            let second = try await post(client, body, key: "order-3")
            #expect(first.status == .serviceUnavailable && second.status == .serviceUnavailable)
            #expect(second.headers[HTTPField.Name("Idempotency-Replayed")!] == nil)
            #expect(store.enqueueAttempts == 2)
        }
    }

    @Test func refusedBodyIsNotRememberedSoTheCorrectedRequestMayReuseTheKey() async throws {
        try await withApp { client, lines in
            let refused = try await post(client, #"{"rooms":["news"]}"#, key: "order-4")
            #expect(refused.status == .badRequest)
            let corrected = try await post(client, #"{"rooms":["news"],"event":"a"}"#, key: "order-4")
            #expect(corrected.status == .ok)
            #expect(corrected.headers[HTTPField.Name("Idempotency-Replayed")!] == nil)
            #expect(Self.sentCount(lines) == 1)
        }
    }

    @Test func malformedKeyIs400AndSendsNothing() async throws {
        try await withApp { client, lines in
            let response = try await post(client, #"{"rooms":["news"],"event":"a"}"#, key: String(repeating: "k", count: 256))
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body) == IdempotencyKey.rule)
            #expect(Self.sentCount(lines) == 0)
        }
    }
}

/// A message store whose `enqueue` works `successfulEnqueues` times, then fails as Redis down would.
final class FailingStore: MessageStore {
    private let inner = InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60))
    private let attempts = NIOLockedValueBox(0)
    private let successfulEnqueues: Int

    init(successfulEnqueues: Int) {
        self.successfulEnqueues = successfulEnqueues
    }

    var enqueueAttempts: Int { attempts.withLockedValue { $0 } }

    func connect(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError)
        -> DeviceRegistration
    {
        try await inner.connect(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
    }

    func resume(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError)
        -> DeviceRegistration
    {
        try await inner.resume(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
    }

    func disconnect(_ device: DeviceKey) async throws(StoreError) {
        try await inner.disconnect(device)
    }

    func userRooms(site: String, sharedRoom: String) async throws(StoreError) -> Set<String> {
        try await inner.userRooms(site: site, sharedRoom: sharedRoom)
    }

    func enqueue(_ message: StoredMessage, site: String, userRooms: Set<String>) async throws(StoreError) -> [DeviceKey] {
        let attempt = attempts.withLockedValue { count in
            count += 1
            return count
        }
        guard attempt <= successfulEnqueues else { throw StoreError("Redis is unavailable") }
        return try await inner.enqueue(message, site: site, userRooms: userRooms)
    }

    func acknowledge(_ device: DeviceKey, id: FlakeID, resync: Bool) async throws(StoreError) -> AckOutcome {
        try await inner.acknowledge(device, id: id, resync: resync)
    }

    func acknowledgeBatch(_ device: DeviceKey, ids: [FlakeID]) async throws(StoreError) {
        try await inner.acknowledgeBatch(device, ids: ids)
    }

    func acknowledgeThrough(_ device: DeviceKey, id: FlakeID) async throws(StoreError) -> Int {
        try await inner.acknowledgeThrough(device, id: id)
    }

    func queued(_ device: DeviceKey, after id: FlakeID?) async throws(StoreError) -> DeviceBacklog {
        try await inner.queued(device, after: id)
    }
}
