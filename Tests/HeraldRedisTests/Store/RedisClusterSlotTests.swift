import Herald
import Logging
import Testing

@testable import HeraldRedis

extension RedisTests {
    /// The store's scripts keep to one hash slot, so they run on Redis Cluster; the one-node cluster of the tests
    /// refuses what a real cluster refuses.
    @Suite struct ClusterSlots {
        /// The checks the other tests rely on are on: the one-node cluster refuses a script that declares keys of
        /// two slots or whose one command touches two, and the audit reports one whose commands touch two slots
        /// one after the other (which Redis 7.0 lets pass on a single node, and a real cluster refuses once the slots
        /// live on different nodes).
        @Test func scriptsLeavingTheirSlotAreRefusedOrReported() async throws {
            try await withRedis(RedisServerProcess.Options.oneNodeCluster) { server, client in
                let audit = try await ScriptKeyAudit(server)
                let twoCommands = RedisScript("redis.call('SET', KEYS[1], '1') return redis.call('SET', ARGV[1], '1')")
                let declared = await redisError {
                    _ = try await client.run(twoCommands, keys: ["herald:{a}:x", "herald:{b}:x"], arguments: ["herald:{a}:y"])
                }
                #expect(declared == .server("CROSSSLOT Keys in request don't hash to the same slot"))
                let oneCommand = RedisScript("return redis.call('MSET', KEYS[1], '1', ARGV[1], '1')")
                let refused = await redisError {
                    _ = try await client.run(oneCommand, keys: ["herald:{a}:x"], arguments: ["herald:{b}:x"])
                }
                guard case .server(let message) = refused else {
                    Issue.record("expected a refusal, got \(String(describing: refused))")
                    return
                }
                #expect(message.contains("non local key"), "\(message)")
                #expect(try await client.send(["EXISTS", "herald:{a}:x"]).int == 0, "nothing of a refused script ran")
                _ = try await client.run(twoCommands, keys: ["herald:{a}:x"], arguments: ["herald:{a}:y"])
                _ = try await client.run(twoCommands, keys: ["herald:{a}:x"], arguments: ["herald:{b}:y"])
                _ = try await client.run(RedisScript("return redis.call('SET', ARGV[1], '1')"), keys: [], arguments: ["herald:{a}:z"])
                let violations = try await audit.violations()
                #expect(violations.contains { $0.contains("touched herald:{b}:y") })
                #expect(violations.contains { $0.contains("declares no keys") })
                #expect(!violations.contains { $0.contains("herald:{a}:y") }, "one slot is fine")
            }
        }

        /// A dead instance's devices in two sites are counted as disconnected by the survivor's reaper: each site's
        /// share of the instance is walked, and the instance and its site list are forgotten.
        @Test(arguments: RedisTopology.allCases)
        func theReaperWalksEverySiteOfADeadInstance(on topology: RedisTopology) async throws {
            try await withRedis(topology) { _, client in
                let dead = RedisInstanceSites(client: client, instanceID: "dead", timeToLive: .milliseconds(1))
                let store = RedisMessageStore(client: client, settings: MessageStoreSettings(deviceTTL: 60), instance: dead)
                let phone = DeviceKey(site: "shop", userRoom: "user_1", deviceID: "phone")
                let laptop = DeviceKey(site: "news", userRoom: "user_2", deviceID: "laptop")
                _ = try await store.connect(phone, sharedRooms: [])
                _ = try await store.connect(laptop, sharedRooms: [])
                #expect(try await client.send(["HGET", "herald:{shop}:inst:dead", #"["user_1","phone"]"#]).string == "1")
                #expect(
                    try await client.send(["SMEMBERS", "herald:instsites:dead"]).array?.compactMap(\.string).sorted() == ["news", "shop"]
                )

                let registry = RedisInstanceRegistry(
                    client: client,
                    instanceID: "live",
                    deviceTTL: 60,
                    interval: .milliseconds(20),
                    logger: Logger(label: "test")
                )
                let run = Task { await registry.run() }
                defer { run.cancel() }
                #expect(await eventually { (try? await client.send(["SISMEMBER", "herald:instances", "dead"]).int) == 0 })
                for (hash, device) in [("herald:{shop}:u:user_1:devices", "phone"), ("herald:{news}:u:user_2:devices", "laptop")] {
                    let state = try await client.send(["HGET", hash, device]).string
                    #expect(state?.hasPrefix("d") == true, "\(device) counts as disconnected: \(String(describing: state))")
                }
                for key in ["herald:{shop}:inst:dead", "herald:{news}:inst:dead", "herald:instsites:dead"] {
                    #expect(try await client.send(["EXISTS", key]).int == 0, "\(key) is gone")
                }
                #expect(try await client.send(["SISMEMBER", "herald:instances", "live"]).int == 1)
            }
        }

        /// An instance of an older version kept its devices of all sites in `herald:inst:<id>`, fields
        /// `["site","user room","device"]`; when it dies during a rolling upgrade, the reaper still counts them
        /// disconnected.
        @Test func devicesInTheHashOfAnOlderVersionAreReaped() async throws {
            try await withRedis { _, client in
                _ = try await client.send(["HSET", "herald:{shop}:u:user_1:devices", "phone", "c1"])
                _ = try await client.send(["HSET", "herald:inst:old", #"["shop","user_1","phone"]"#, "1"])
                _ = try await client.send(["SADD", "herald:instances", "old"])
                let registry = RedisInstanceRegistry(
                    client: client,
                    instanceID: "live",
                    deviceTTL: 60,
                    interval: .milliseconds(20),
                    logger: Logger(label: "test")
                )
                let run = Task { await registry.run() }
                defer { run.cancel() }
                #expect(await eventually { (try? await client.send(["SISMEMBER", "herald:instances", "old"]).int) == 0 })
                #expect(try await client.send(["HGET", "herald:{shop}:u:user_1:devices", "phone"]).string?.hasPrefix("d") == true)
                #expect(try await client.send(["EXISTS", "herald:inst:old"]).int == 0)
            }
        }

        /// Heartbeats list again the sites this instance entered, so another instance that took it for dead and
        /// forgot its sites cannot make it unreapable.
        @Test func heartbeatsListTheEnteredSitesAgain() async throws {
            try await withRedis(.oneNodeCluster) { _, client in
                let registry = RedisInstanceRegistry(
                    client: client,
                    instanceID: "me",
                    deviceTTL: 60,
                    interval: .milliseconds(20),
                    logger: Logger(label: "test")
                )
                let store = RedisMessageStore(client: client, settings: MessageStoreSettings(deviceTTL: 60), instance: registry.sites)
                _ = try await store.connect(DeviceKey(site: "shop", userRoom: "user_1", deviceID: "phone"), sharedRooms: [])
                _ = try await client.send(["DEL", "herald:instsites:me"])
                let run = Task { await registry.run() }
                defer { run.cancel() }
                #expect(await eventually { (try? await client.send(["SISMEMBER", "herald:instsites:me", "shop"]).int) == 1 })
            }
        }
    }
}
