import Herald
import Testing

@testable import HeraldRedis

extension RedisTests {
    /// `WAIT` after an enqueue: a message counts as stored only once a replica has it, so a failover cannot lose a
    /// message `/send` answered 200 for.
    @Suite struct ReplicaAcknowledgements {
        private let phone = DeviceKey(site: "s", userRoom: "user_1", deviceID: "phone")
        private let message = StoredMessage(id: FlakeID(rawValue: 42 << 22), event: "e", arguments: ["hello"])

        @Test func anEnqueueAcknowledgedByAReplicaIsOnTheReplicaWhenItReturns() async throws {
            try await withRedis { master, client in
                let replica = try await RedisServerProcess.start(
                    .init(extraArguments: ["--replicaof", "127.0.0.1", String(master.port)])
                )
                defer { replica.stop() }
                let replicaClient = try RedisClient(configuration: testConfiguration(for: replica))
                try await replicaClient.waitUntilConnected(timeout: .seconds(5))
                #expect(
                    await eventually(timeout: .seconds(10)) {
                        (try? await replicaClient.send(["INFO", "replication"]).string)?.contains("master_link_status:up") == true
                    }
                )
                let store = RedisMessageStore(
                    client: client,
                    settings: MessageStoreSettings(deviceTTL: 60),
                    replicaAcknowledgements: RedisReplicaAcknowledgements(replicas: 1, timeout: .seconds(1))
                )
                _ = try await store.connect(phone, sharedRooms: [])
                #expect(try await store.enqueue(message, site: "s", userRooms: ["user_1"]) == [phone])
                #expect(
                    try await replicaClient.send(["HEXISTS", "herald:{s}:m:user_1:phone", message.id.sortKey]).int == 1,
                    "the replica had it before the enqueue returned"
                )
                await replicaClient.close()
            }
        }

        /// Without a replica the enqueue fails after the timeout (`/send` answers 503 and the backend retries) and
        /// takes the message back out of the queues, so the retry's copy is the only one the device gets.
        @Test func anEnqueueNoReplicaAcknowledgedFailsAndLeavesNoCopyForItsRetryToDuplicate() async throws {
            try await withRedis { _, client in
                let plain = RedisMessageStore(client: client, settings: MessageStoreSettings(deviceTTL: 60))
                let waiting = RedisMessageStore(
                    client: client,
                    settings: MessageStoreSettings(deviceTTL: 60),
                    replicaAcknowledgements: RedisReplicaAcknowledgements(replicas: 1, timeout: .milliseconds(50))
                )
                _ = try await plain.connect(phone, sharedRooms: [])
                try await plain.disconnect(phone)
                let error = await #expect(throws: StoreError.self) {
                    _ = try await waiting.enqueue(message, site: "s", userRooms: ["user_1"])
                }
                #expect(error?.reason.contains("0 of 1 replicas") == true, "\(String(describing: error))")
                #expect(error?.reason.contains("taken back") == true, "\(String(describing: error))")
                let retry = StoredMessage(id: FlakeID(rawValue: message.id.rawValue + (1 << 22)), event: "e", arguments: ["again"])
                _ = try await plain.enqueue(retry, site: "s", userRooms: ["user_1"])
                #expect(try await plain.connect(phone, sharedRooms: []).messages == [retry])
            }
        }

        /// The first call after a `SCRIPT FLUSH` sends the script itself, and still waits.
        @Test func aScriptRedisForgotIsSentAgainAndStillWaits() async throws {
            try await withRedis { _, client in
                let waiting = RedisMessageStore(
                    client: client,
                    settings: MessageStoreSettings(deviceTTL: 60),
                    replicaAcknowledgements: RedisReplicaAcknowledgements(replicas: 1, timeout: .milliseconds(50))
                )
                _ = try await waiting.connect(phone, sharedRooms: [])
                _ = try await client.send(["SCRIPT", "FLUSH"])
                let error = await #expect(throws: StoreError.self) {
                    _ = try await waiting.enqueue(message, site: "s", userRooms: ["user_1"])
                }
                #expect(error?.reason.contains("0 of 1 replicas") == true, "\(String(describing: error))")
                #expect(error?.reason.contains("taken back") == true, "\(String(describing: error))")
                #expect(try await client.send(["HEXISTS", "herald:{s}:m:user_1:phone", message.id.sortKey]).int == 0)
            }
        }
    }
}
