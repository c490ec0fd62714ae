import Herald
import Logging
import MessageStoreContract
import Testing

@testable import HeraldRedis

@Suite(.timeLimit(.minutes(2)))
struct RedisIdempotencyStoreTests {
    @Test(arguments: IdempotencyStoreContract.allCases)
    func contract(_ rule: IdempotencyStoreContract) async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        try await rule.check(
            makeStore: {
                RedisIdempotencyStore(
                    client: client,
                    retention: IdempotencyStoreContract.retention,
                    inFlightTimeout: IdempotencyStoreContract.inFlightTimeout,
                    logger: Logger(label: "test")
                )
            },
            elapse: { try await Task.sleep(for: $0) }
        )
        await client.close()
    }

    @Test func answersLiveUnderTheDocumentedKeyWithAnExpiry() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        let store = RedisIdempotencyStore(client: client, logger: Logger(label: "test"))
        let key = try #require(IdempotencyKey(site: "shop", header: "order:7"))
        guard case .started(let ticket) = try await store.begin(key) else {
            Issue.record("new key did not start")
            return
        }
        let inFlightTTL = try await client.send(["PTTL", "herald:idem:shop:order:7"]).int ?? 0
        #expect((1...60_000).contains(inFlightTTL))
        await store.complete(ticket, with: IdempotentResponse(status: 200, contentType: "text/plain", body: "OK"))
        let retentionTTL = try await client.send(["PTTL", "herald:idem:shop:order:7"]).int ?? 0
        #expect((60_001...300_000).contains(retentionTTL))
        await client.close()
    }

    @Test func beginFailsCleanlyWhileRedisIsDown() async throws {
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let client = try RedisClient(configuration: try RedisConfiguration(url: server.url))
        try await client.waitUntilConnected(timeout: .seconds(5))
        let store = RedisIdempotencyStore(client: client, logger: Logger(label: "test"))
        server.kill()
        let key = try #require(IdempotencyKey(site: "shop", header: "order-1"))
        await #expect(throws: StoreError.self) { _ = try await store.begin(key) }
        await client.close()
    }
}
