import Foundation
import HookClient
import Logging
import MessageStoreContract
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SocketIO
import Testing

@testable import EngineIO
@testable import Herald

/// A message stored just before a reconnecting device's backlog is read, and emitted live just after its `_batch`,
/// reaches the client once.
@Suite(.timeLimit(.minutes(1))) struct BatchLiveRaceTests {
    private static let site = Site(
        name: "shop",
        authentication: .tokens(["token-of-user-one-0001": ["user_1"]]),
        apiKey: "shop-key-0123456789",
        userRoomPrefix: "user_"
    )

    @Test func liveCopyOfAMessageInTheBatchIsDropped() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = GatedStore()
        let service = HeraldService(
            configuration: HeraldConfiguration(settings: HeraldSettings(port: 0), sites: [Self.site.name: Self.site]),
            hooks: FakeHooks { _ throws(HookError) in throw HookError.cancelled },
            store: store,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            eventLoopGroup: group
        )
        let phone = DeviceKey(site: "shop", userRoom: "user_1", deviceID: "phone")
        _ = try await store.connect(phone, sharedRooms: [])
        try await store.disconnect(phone)

        // The send stores its message, then stalls before emitting it live.
        let racing = Task {
            try await service.delivery.send(SendRequest(rooms: ["user_1"], event: "news", arguments: ["raced"]), on: Self.site)
        }
        await store.firstEnqueueStored()

        let client = try await PollingClient(
            engine: service.engine,
            loop: group.next(),
            query: ["token": "token-of-user-one-0001", "deviceId": "phone"]
        )
        try await client.send("0/shop,")
        var texts = try await client.receive(until: { $0.contains("\"_batch\"") })
        #expect(texts.contains { $0.contains(#"["_batch",[["news","raced"]]]"#) })

        store.releaseFirstEnqueue()
        _ = try await racing.value
        try await service.delivery.send(SendRequest(rooms: ["user_1"], event: "news", arguments: ["sentinel"]), on: Self.site)
        texts += try await client.receive(until: { $0.contains("sentinel") })

        let copies = texts.filter { $0.contains(#""raced""#) }
        #expect(copies.count == 1, "the raced message reached the client \(copies.count) times: \(texts)")
        try await group.shutdownGracefully()
    }
}

/// An in-memory store whose first `enqueue` stores the message and then waits until the test lets it return, as a
/// send does between storing a message and emitting it live.
private final class GatedStore: MessageStore {
    private let inner = InMemoryMessageStore(settings: MessageStoreSettings(deviceTTL: 60))
    private let stored = AsyncStream<Void>.makeStream()
    private let release = AsyncStream<Void>.makeStream()
    private let enqueues = NIOLockedValueBox(0)

    func firstEnqueueStored() async {
        for await _ in stored.stream { return }
    }

    func releaseFirstEnqueue() {
        release.continuation.yield()
    }

    func connect(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError) -> DeviceRegistration {
        try await inner.connect(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
    }

    func resume(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError) -> DeviceRegistration {
        try await inner.resume(device, sharedRooms: sharedRooms, maxDevices: maxDevices)
    }

    func disconnect(_ device: DeviceKey) async throws(StoreError) {
        try await inner.disconnect(device)
    }

    func userRooms(site: String, sharedRoom: String) async throws(StoreError) -> Set<String> {
        try await inner.userRooms(site: site, sharedRoom: sharedRoom)
    }

    func enqueue(_ message: StoredMessage, site: String, userRooms: Set<String>) async throws(StoreError) -> [DeviceKey] {
        let holders = try await inner.enqueue(message, site: site, userRooms: userRooms)
        let first = enqueues.withLockedValue { count in
            count += 1
            return count == 1
        }
        if first {
            stored.continuation.yield()
            for await _ in release.stream { break }
        }
        return holders
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
