import Herald
import MessageStoreContract
import Testing

@testable import HeraldRedis

@Suite(.timeLimit(.minutes(2)))
struct RedisMessageStoreTests {
    @Test(arguments: MessageStoreContract.allCases, RedisTopology.allCases)
    func contract(_ rule: MessageStoreContract, on topology: RedisTopology) async throws {
        try await withRedis(topology.options) { server, client in
            try await auditingScripts(of: server, on: topology) {
                try await rule.check { settings, clock in RedisMessageStore(client: client, settings: settings, clock: clock) }
            }
        }
    }

    @Test func namesWithColonsAndPercentSignsDoNotCollide() async throws {
        try await withStore { _, _, store in
            let first = DeviceKey(site: "s", userRoom: "user_a:b", deviceID: "c")
            let second = DeviceKey(site: "s", userRoom: "user_a", deviceID: "b:c")
            _ = try await store.connect(first, sharedRooms: ["x:y"])
            _ = try await store.connect(second, sharedRooms: ["x%3Ay"])
            let message = StoredMessage(id: FlakeID(rawValue: 42 << 22), event: "e:v", arguments: ["%3A"])
            #expect(try await store.enqueue(message, site: "s", userRooms: ["user_a:b"]) == [first])
            #expect(try await store.userRooms(site: "s", sharedRoom: "X:Y") == ["user_a:b"])
            try await store.disconnect(second)
            #expect(try await store.connect(second, sharedRooms: []).messages.isEmpty)
            try await store.disconnect(first)
            #expect(try await store.connect(first, sharedRooms: []).messages == [message])
        }
    }

    /// An instance older than the storage-order set (`qs`) queues messages without a place, during a rolling
    /// upgrade; a reader by position still gets them, after the others, and can acknowledge them.
    @Test func messagesQueuedWithoutAPlaceAreReadAfterTheOthers() async throws {
        try await withStore { _, client, store in
            let phone = DeviceKey(site: "s", userRoom: "user_1", deviceID: "p")
            _ = try await store.connect(phone, sharedRooms: [])
            let unplaced = StoredMessage(id: FlakeID(rawValue: 1 << 22), event: "e", arguments: [1])
            let alsoUnplaced = StoredMessage(id: FlakeID(rawValue: 2 << 22), event: "e", arguments: [2])
            let placed = StoredMessage(id: FlakeID(rawValue: 3 << 22), event: "e", arguments: [3])
            for message in [unplaced, alsoUnplaced] { _ = try await store.enqueue(message, site: "s", userRooms: ["user_1"]) }
            _ = try await client.send(["DEL", "herald:{s}:qs:user_1:p"])
            _ = try await store.enqueue(placed, site: "s", userRooms: ["user_1"])
            #expect(try await store.queued(phone, after: nil).messages == [placed, unplaced, alsoUnplaced])
            #expect(try await store.queued(phone, after: placed.id).messages == [unplaced, alsoUnplaced])
            #expect(try await store.acknowledgeThrough(phone, id: unplaced.id) == 2)
            #expect(try await store.queued(phone, after: nil).messages == [alsoUnplaced])
        }
    }

    @Test func storeCallsFailCleanlyWhileRedisIsDownAndWorkAgainAfter() async throws {
        try await withStore { server, client, store in
            let phone = DeviceKey(site: "s", userRoom: "user_1", deviceID: "p")
            _ = try await store.connect(phone, sharedRooms: [])
            server.kill()
            let message = StoredMessage(id: FlakeID(rawValue: 7 << 22), event: "e", arguments: [])
            await #expect(throws: StoreError.self) {
                _ = try await store.enqueue(message, site: "s", userRooms: ["user_1"])
            }
            try await server.restart()
            try await client.waitUntilConnected(timeout: .seconds(10))
            _ = try await store.connect(phone, sharedRooms: [])
            #expect(try await store.enqueue(message, site: "s", userRooms: ["user_1"]) == [phone])
        }
    }

    /// Runs `body` with a redis-server of its own and a client connected to it, and closes both after.
    private func withRedis(
        _ options: RedisServerProcess.Options = .init(),
        _ body: (RedisServerProcess, RedisClient) async throws -> Void
    ) async throws {
        let server = try await RedisServerProcess.start(options)
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        try await body(server, client)
        await client.close()
    }

    /// ``withRedis(_:)`` with a store on the client (a 60 s device TTL).
    private func withStore(_ body: (RedisServerProcess, RedisClient, RedisMessageStore) async throws -> Void) async throws {
        try await withRedis { server, client in
            try await body(server, client, RedisMessageStore(client: client, settings: MessageStoreSettings(deviceTTL: 60)))
        }
    }
}
