import Herald
import MessageStoreContract
import Testing

@testable import HeraldRedis

@Suite(.timeLimit(.minutes(2)))
struct RedisMessageStoreTests {
    @Test(arguments: MessageStoreContract.allCases)
    func contract(_ rule: MessageStoreContract) async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        try await rule.check { settings, clock in RedisMessageStore(client: client, settings: settings, clock: clock) }
        await client.close()
    }

    @Test func namesWithColonsAndPercentSignsDoNotCollide() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        let store = RedisMessageStore(client: client, settings: MessageStoreSettings(deviceTTL: 60))
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
        await client.close()
    }

    @Test func storeCallsFailCleanlyWhileRedisIsDownAndWorkAgainAfter() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        let store = RedisMessageStore(client: client, settings: MessageStoreSettings(deviceTTL: 60))
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
        await client.close()
    }
}
