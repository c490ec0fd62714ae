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
            elapse: { try await Self.elapse($0, on: client) }
        )
        await client.close()
    }

    /// Time passing as Redis sees it, without waiting: every key's expiry moves `duration` closer, and keys whose
    /// expiry it reaches are deleted.
    private static func elapse(_ duration: Duration, on client: RedisClient) async throws {
        let step = Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
        for key in try await client.send(["KEYS", "*"]).array?.compactMap(\.string) ?? [] {
            let remaining = try await client.send(["PTTL", key]).int ?? -1
            if remaining < 0 {
                continue
            }
            if remaining <= step {
                _ = try await client.send(["DEL", key])
            } else {
                _ = try await client.send(["PEXPIRE", key, "\(remaining - step)"])
            }
        }
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
