import Foundation
import HookClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SocketIO
import Testing

@testable import EngineIO
@testable import Herald

/// A device whose socket connects while the store is unreachable, and acks the store fails to record, still see
/// each message exactly once once the store is back.
@Suite(.timeLimit(.minutes(1))) struct StoreOutageSessionTests {
    private static let site = Site(
        name: "shop",
        authentication: .tokens(["token-of-user-one-0001": ["user_1"]]),
        apiKey: "shop-key-0123456789",
        userRoomPrefix: "user_"
    )
    private static let phone = DeviceKey(site: "shop", userRoom: "user_1", deviceID: "phone")

    private func makeService(_ store: FlakyStore, _ group: MultiThreadedEventLoopGroup) -> HeraldService {
        HeraldService(
            configuration: HeraldConfiguration(settings: HeraldSettings(port: 0), sites: [Self.site.name: Self.site]),
            hooks: FakeHooks { _ throws(HookError) in throw HookError.cancelled },
            store: store,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            eventLoopGroup: group
        )
    }

    private func connectPhone(_ service: HeraldService, _ group: MultiThreadedEventLoopGroup) async throws -> PollingClient {
        let client = try await PollingClient(
            engine: service.engine,
            loop: group.next(),
            query: ["token": "token-of-user-one-0001", "deviceId": "phone"]
        )
        try await client.send("0/shop,")
        _ = try await client.receive(until: { $0.hasPrefix("0/shop,") })
        return client
    }

    private func send(_ service: HeraldService, _ argument: String) async throws {
        try await service.delivery.send(SendRequest(rooms: ["user_1"], event: "news", arguments: [.string(argument)]), on: Self.site)
    }

    @Test func aDeviceConnectedWhileTheStoreWasDownGetsEachLaterMessageOnce() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = FlakyStore()
        let service = makeService(store, group)
        _ = try await store.connect(Self.phone, sharedRooms: [])
        try await store.disconnect(Self.phone)

        store.setReachable(false)
        let client = try await connectPhone(service, group)
        store.setReachable(true)
        try await send(service, "after the outage")
        try await store.waitForConnects(2)  // the session registered the device again and read its backlog
        try await send(service, "sentinel")
        let texts = try await client.receive(until: { $0.contains("sentinel") })

        let copies = texts.filter { $0.contains("after the outage") }
        #expect(copies.count == 1, "the message reached the client \(copies.count) times: \(texts)")
        try await group.shutdownGracefully()
    }

    @Test func aCatchUpSendsWhatLiveDeliveryMissedAndASecondOneDoesNotRepeatAnUnackedBatch() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = FlakyStore()
        let service = makeService(store, group)
        let client = try await connectPhone(service, group)
        // Stored while the bus was cut off: the message never came live.
        let missed = StoredMessage(id: FlakeIDGenerator(datacenter: 1, worker: 1).next(), event: "news", arguments: ["missed"])
        _ = try await store.enqueue(missed, site: "shop", userRooms: ["user_1"])

        service.delivery.sessions.catchUp()
        var texts = try await client.receive(until: { $0.contains("_batch") })
        service.delivery.sessions.catchUp()  // before the client acked the first _batch
        try await store.waitForResumes(2)
        try await send(service, "sentinel")
        texts += try await client.receive(until: { $0.contains("sentinel") })

        let batches = texts.filter { $0.contains("_batch") }
        #expect(batches.count == 1 && batches[0].contains("missed"), "\(texts)")
        try await group.shutdownGracefully()
    }

    /// Sends `argument` and waits for it on `client`; returns the ack ID it was emitted with.
    private func ackID(of argument: String, _ service: HeraldService, _ client: PollingClient) async throws -> String {
        try await send(service, argument)
        let texts = try await client.receive(until: { $0.contains(argument) })
        let emitted = try #require(texts.first { $0.contains(argument) })
        let ackID = String(emitted.dropFirst("2/shop,".count).prefix { $0.isNumber })
        try #require(!ackID.isEmpty, "the message was emitted without an ack request: \(emitted)")
        return ackID
    }

    @Test func anAckTheStoreFailedToRecordIsRecordedOnceTheStoreIsBack() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = FlakyStore()
        let service = makeService(store, group)
        let client = try await connectPhone(service, group)
        let ackID = try await ackID(of: "acked during the outage", service, client)

        store.setReachable(false)
        try await client.send("3/shop,\(ackID)[]")
        try await store.waitForFailedAcks(1)
        store.setReachable(true)
        try await store.waitForRecordedAcks(1)

        let backlog = try await store.connect(Self.phone, sharedRooms: [])
        #expect(backlog.messages.isEmpty, "the acked message is still queued: \(backlog.messages)")
        try await group.shutdownGracefully()
    }

    @Test func aDeviceBackWhileItsLastAckIsStillRetriedDoesNotGetThatMessageAgain() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = FlakyStore()
        let service = makeService(store, group)
        let client = try await connectPhone(service, group)
        let ackID = try await ackID(of: "acked before leaving", service, client)

        store.setReachable(false)
        try await client.send("3/shop,\(ackID)[]")
        try await store.waitForFailedAcks(1)
        try await client.send("1/shop,")  // leaves while its ack waits for the next retry
        store.setReachable(true)
        let again = try await PollingClient(
            engine: service.engine,
            loop: group.next(),
            query: ["token": "token-of-user-one-0001", "deviceId": "phone"]
        )
        try await again.send("0/shop,")
        var texts = try await again.receive(until: { $0.hasPrefix("0/shop,") })
        try await send(service, "sentinel")
        texts += try await again.receive(until: { $0.contains("sentinel") })

        #expect(!texts.contains { $0.contains("acked before leaving") }, "the acked message came back: \(texts)")
        try await group.shutdownGracefully()
    }
}

/// An in-memory store that can be made unreachable (every call throws) and counts what happened to it.
private final class FlakyStore: MessageStore {
    private struct Counts {
        var reachable = true
        var connects = 0
        var resumes = 0
        var failedAcks = 0
        var recordedAcks = 0
    }

    private let inner = InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60))
    private let counts = NIOLockedValueBox(Counts())

    func setReachable(_ reachable: Bool) {
        counts.withLockedValue { $0.reachable = reachable }
    }

    func waitForConnects(_ count: Int) async throws {
        try await waitUntil("\(count) connects") { $0.connects >= count }
    }

    func waitForResumes(_ count: Int) async throws {
        try await waitUntil("\(count) resumes") { $0.resumes >= count }
    }

    func waitForFailedAcks(_ count: Int) async throws {
        try await waitUntil("\(count) failed acks") { $0.failedAcks >= count }
    }

    func waitForRecordedAcks(_ count: Int) async throws {
        try await waitUntil("\(count) recorded acks") { $0.recordedAcks >= count }
    }

    /// Checks `condition` every 10 ms for at most 10 s.
    private func waitUntil(_ what: String, _ condition: @escaping @Sendable (Counts) -> Bool) async throws {
        for _ in 0..<1000 {
            if counts.withLockedValue({ condition($0) }) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the store never saw \(what)")
    }

    private func checkReachable() throws(StoreError) {
        guard counts.withLockedValue({ $0.reachable }) else { throw StoreError("store unreachable (test)") }
    }

    func connect(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError) -> DeviceRegistration {
        try checkReachable()
        let registration = try await inner.connect(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
        counts.withLockedValue { $0.connects += 1 }
        return registration
    }

    func resume(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError) -> DeviceRegistration {
        try checkReachable()
        let registration = try await inner.resume(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
        counts.withLockedValue { $0.resumes += 1 }
        return registration
    }

    func disconnect(_ device: DeviceKey) async throws(StoreError) {
        try checkReachable()
        try await inner.disconnect(device)
    }

    func userRooms(site: String, sharedRoom: String) async throws(StoreError) -> Set<String> {
        try checkReachable()
        return try await inner.userRooms(site: site, sharedRoom: sharedRoom)
    }

    func enqueue(_ message: StoredMessage, site: String, userRooms: Set<String>) async throws(StoreError) -> [DeviceKey] {
        try checkReachable()
        return try await inner.enqueue(message, site: site, userRooms: userRooms)
    }

    func acknowledge(_ device: DeviceKey, id: FlakeID, resync: Bool) async throws(StoreError) -> AckOutcome {
        do {
            try checkReachable()
        } catch {
            counts.withLockedValue { $0.failedAcks += 1 }
            throw error
        }
        let outcome = try await inner.acknowledge(device, id: id, resync: resync)
        counts.withLockedValue { $0.recordedAcks += 1 }
        return outcome
    }

    func acknowledgeBatch(_ device: DeviceKey, ids: [FlakeID]) async throws(StoreError) {
        try checkReachable()
        try await inner.acknowledgeBatch(device, ids: ids)
    }

    func acknowledgeThrough(_ device: DeviceKey, id: FlakeID) async throws(StoreError) -> Int {
        try checkReachable()
        return try await inner.acknowledgeThrough(device, id: id)
    }

    func queued(_ device: DeviceKey, after id: FlakeID?) async throws(StoreError) -> DeviceBacklog {
        try checkReachable()
        return try await inner.queued(device, after: id)
    }
}
