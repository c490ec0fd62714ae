import Foundation
import HeraldRedis
import NIOConcurrencyHelpers
import Testing

/// The client against a real six-node cluster, started once for the tests that leave it as they found it.
extension RedisTests {
    @Suite struct ClusterClient {
        private func withCluster(_ body: (RedisClusterProcess, RedisClient) async throws -> Void) async throws {
            let cluster = try await RedisClusterProcess.start()
            defer { cluster.stop() }
            var configuration = try RedisConfiguration(url: cluster.url)
            configuration.commandTimeout = .seconds(2)
            configuration.connectTimeout = .seconds(1)
            configuration.reconnectBackoff = RedisReconnectBackoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))
            let client = try RedisClient(configuration: configuration)
            do {
                try await client.waitUntilConnected(timeout: .seconds(10))
                try await body(cluster, client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }

        @Test func commandsReachTheOwnersOfTheirSlotsAndPipelinesKeepOrder() async throws {
            try await withCluster { cluster, client in
                #expect(client.isCluster)
                #expect(client.isConnected)
                for index in 0..<60 {
                    #expect(try await client.send(["SET", "key:\(index)", "value \(index)"]) == .simpleString("OK"))
                }
                for index in stride(from: 0, to: 60, by: 7) {
                    let port = try #require(try cluster.masterPort(of: "key:\(index)"))
                    let direct = try cluster.cli(port: port, ["GET", "key:\(index)"])
                    #expect(direct.trimmingCharacters(in: .whitespacesAndNewlines) == "value \(index)")
                }

                var commands: [[String]] = []
                for index in 0..<60 {
                    commands.append(["INCRBY", "counter:\(index)", String(index)])
                    commands.append(["GET", "key:\(index)"])
                }
                let replies = try await client.pipeline(commands)
                for index in 0..<60 {
                    #expect(replies[2 * index] == .integer(index))
                    #expect(replies[2 * index + 1].string == "value \(index)")
                }
                let ports = Set(try (0..<60).compactMap { try cluster.masterPort(of: "key:\($0)") })
                #expect(ports.count == 3)
                #expect(try await client.send(["PING"]) == .simpleString("PONG"))
            }
        }

        @Test func scriptsRunOnTheirKeysNodeAndReloadOnFreshNodes() async throws {
            try await withCluster { cluster, client in
                let script = RedisScript("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])")
                for tag in ["a", "b", "c", "d", "e", "f"] {
                    let reply = try await client.run(script, keys: ["{\(tag)}:value", "{\(tag)}:count"], arguments: [tag])
                    #expect(reply == .integer(1))
                    let port = try #require(try cluster.masterPort(of: "{\(tag)}:value"))
                    #expect(try cluster.cli(port: port, ["GET", "{\(tag)}:value"]).hasPrefix(tag))
                }
                for node in cluster.nodes {
                    try cluster.cli(port: node.port, ["SCRIPT", "FLUSH"])
                }
                #expect(try await client.run(script, keys: ["{a}:value", "{a}:count"], arguments: ["again"]) == .integer(2))

                let replies = try await client.pipeline([
                    RedisCommand(["EVAL", "return redis.call('INCR', KEYS[1])", "1", "{a}:count"]),
                    RedisCommand(["WAIT", "1", "1000"]),
                ])
                #expect(replies[0] == .integer(3))
                #expect(replies[1] == .integer(1), "WAIT ran on the master that took the write, which has one replica")
            }
        }

        @Test func slotMigrationIsFollowedThroughAskAndMoved() async throws {
            try await withCluster { cluster, client in
                let key = "migrating"
                #expect(try await client.send(["SET", key, "before"]) == .simpleString("OK"))
                let slot = try cluster.cli(port: cluster.nodes[0].port, ["CLUSTER", "KEYSLOT", key])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let source = try #require(try cluster.masterPort(of: key))
                let target = try #require(
                    try [cluster.masterPort(of: "a"), cluster.masterPort(of: "b"), cluster.masterPort(of: "c")].compactMap { $0 }.first {
                        $0 != source
                    }
                )
                let sourceID = try cluster.nodeID(port: source)
                let targetID = try cluster.nodeID(port: target)
                try cluster.cli(port: target, ["CLUSTER", "SETSLOT", slot, "IMPORTING", sourceID])
                try cluster.cli(port: source, ["CLUSTER", "SETSLOT", slot, "MIGRATING", targetID])
                try cluster.cli(port: source, ["MIGRATE", "127.0.0.1", String(target), "", "0", "5000", "KEYS", key])

                // The key is on the target now and the slot still on the source: the source answers ASK.
                #expect(try await client.send(["GET", key]) == .bulkString(Array("before".utf8)))
                #expect(try await client.send(["SET", key, "during"]) == .simpleString("OK"))

                for node in cluster.nodes where node.isRunning {
                    try cluster.cli(port: node.port, ["CLUSTER", "SETSLOT", slot, "NODE", targetID])
                }
                // The source answers MOVED now; the client follows and learns the new owner.
                #expect(try await client.send(["GET", key]) == .bulkString(Array("during".utf8)))
                let replies = try await client.pipeline([["SET", key, "after"], ["GET", key]])
                #expect(replies == [.simpleString("OK"), .bulkString(Array("after".utf8))])
            }
        }

        @Test func aKilledMasterIsReplacedByItsReplicaWithoutANewClient() async throws {
            try await withCluster { cluster, client in
                let key = "survivor"
                #expect(try await client.send(["SET", key, "1"]) == .simpleString("OK"))
                #expect(try await client.send(["WAIT", "1", "1000"]) == .integer(1))
                let doomed = try #require(try cluster.masterPort(of: key))
                let other = try #require(
                    try (0..<50).map { "other:\($0)" }.first { try cluster.masterPort(of: $0) != doomed }
                )
                cluster.node(port: doomed)?.kill()

                #expect(await eventually { client.state != .connected })
                #expect(try await client.send(["SET", other, "still works"]) == .simpleString("OK"))
                let failures = await redisError { _ = try await client.send(["GET", key]) }
                #expect(failures == .unavailable, "the dead master's slots fail at once until its replica takes over")
                let mixed = try await client.pipeline([["SET", other, "again"], ["GET", key]])
                #expect(mixed.first == .simpleString("OK"), "a pipeline's commands for live masters still run")
                #expect(mixed.last?.errorMessage?.hasPrefix("CLUSTERDOWN") == true)

                #expect(await eventually(timeout: .seconds(20)) { (try? await client.send(["INCR", key])) != nil })
                #expect(await eventually(timeout: .seconds(10)) { client.isConnected })
                #expect(try await client.send(["GET", key]).int ?? 0 >= 2)
            }
        }

        @Test func plainSubscriptionsMoveToAnotherSeedWhenTheirNodeDies() async throws {
            try await withCluster { cluster, client in
                let inbox = RedisTests.Subscriber.Inbox()
                let subscriber = try RedisSubscriber(configuration: client.configuration, pingInterval: .milliseconds(200)) {
                    inbox.receive($0)
                }
                try await subscriber.waitUntilConnected(timeout: .seconds(5))
                try await subscriber.subscribe(["herald:send"])
                try await client.publish("first", to: "herald:send")
                #expect(await eventually { inbox.messages.map(\.text) == ["first"] })

                cluster.nodes[0].kill()
                let delivered = await eventually(timeout: .seconds(20)) {
                    _ = try? await client.publish("again", to: "herald:send")
                    return inbox.messages.contains { $0.text == "again" }
                }
                #expect(delivered, "the subscriber reconnected through another seed")
                await subscriber.close()
            }
        }

        @Test func aShardedSubscriptionFollowsItsSlotToAnotherMaster() async throws {
            try await withCluster { cluster, client in
                let inbox = RedisTests.Subscriber.Inbox()
                let gaps = CallCount()
                let subscriber = try RedisShardedSubscriber(client: client, onResubscribed: { gaps.increment() }) {
                    inbox.receive($0)
                }
                let channel = "herald:{moving}:dv"
                try await subscriber.subscribe([channel])
                #expect(try await client.spublish("before", to: channel) == 1)

                let slot = try cluster.cli(port: cluster.nodes[0].port, ["CLUSTER", "KEYSLOT", channel])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let source = try #require(try cluster.masterPort(of: channel))
                let target = try #require(
                    try ["a", "b", "c"].compactMap { try cluster.masterPort(of: $0) }.first { $0 != source }
                )
                let sourceID = try cluster.nodeID(port: source)
                let targetID = try cluster.nodeID(port: target)
                try cluster.cli(port: target, ["CLUSTER", "SETSLOT", slot, "IMPORTING", sourceID])
                try cluster.cli(port: source, ["CLUSTER", "SETSLOT", slot, "MIGRATING", targetID])
                let others = cluster.nodes.map(\.port).filter { $0 != target && $0 != source }
                for port in [target, source] + others {
                    try cluster.cli(port: port, ["CLUSTER", "SETSLOT", slot, "NODE", targetID])
                }

                let delivered = await eventually(timeout: .seconds(10)) {
                    (try? await client.spublish("after", to: channel)) == 1
                }
                #expect(delivered, "the subscriber followed the slot to its new master")
                #expect(await eventually { inbox.messages.map(\.text).suffix(1) == ["after"] })
                #expect(gaps.value >= 1)
                await subscriber.close()
            }
        }

        @Test func shardedSubscriptionsSpreadOverShardsAndSurviveAFailover() async throws {
            try await withCluster { cluster, client in
                let inbox = RedisTests.Subscriber.Inbox()
                let gaps = CallCount()
                let subscriber = try RedisShardedSubscriber(client: client, onResubscribed: { gaps.increment() }) {
                    inbox.receive($0)
                }
                let channels = ["herald:{a}:bc", "herald:{b}:bc", "herald:{c}:bc", "herald:{d}:bc"]
                #expect(Set(try channels.compactMap { try cluster.masterPort(of: $0) }).count == 3)
                try await subscriber.subscribe(channels)
                for channel in channels {
                    #expect(try await client.spublish("first", to: channel) == 1)
                }
                #expect(await eventually { inbox.messages.count == channels.count })
                #expect(Set(inbox.messages.map(\.channel)) == Set(channels))

                let doomed = try #require(try cluster.masterPort(of: channels[0]))
                cluster.node(port: doomed)?.kill()
                let delivered = await eventually(timeout: .seconds(20)) {
                    (try? await client.spublish("after failover", to: channels[0])) == 1
                }
                #expect(delivered, "the channel was subscribed again on the promoted replica")
                #expect(await eventually { inbox.messages.contains { $0.channel == channels[0] && $0.text == "after failover" } })
                #expect(gaps.value >= 1, "the gap was reported so the owner can catch up")
                #expect(try await client.spublish("still", to: channels[1]) == 1)
                await subscriber.close()
            }
        }
    }
}

/// A thread-safe count, for callbacks.
final class CallCount: Sendable {
    private let box = NIOLockedValueBox(0)

    var value: Int { box.withLockedValue { $0 } }

    func increment() { box.withLockedValue { $0 += 1 } }
}
