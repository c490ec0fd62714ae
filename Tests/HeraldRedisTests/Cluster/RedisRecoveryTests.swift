import Logging
import NIOPosix
import SocketIO
import Testing

@testable import HeraldRedis

extension RedisTests {
    /// Connection state recovery kept in Redis: what one instance records and tracks, another takes back.
    @Suite struct Recovery {
        private static let settings = ConnectionStateRecovery(maxDisconnection: .seconds(60), maxEventsPerRoom: 50)

        private func makeCluster(_ server: RedisServerProcess, client: RedisClient, id: String) throws -> RedisCluster {
            try RedisCluster(
                client: client,
                configuration: testConfiguration(for: server),
                instanceID: id,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: Logger(label: "test")
            )
        }

        private func event(_ argument: String) -> SocketPacket {
            .event(namespace: "/site", ackID: nil, name: "e", arguments: [.string(argument)])
        }

        @Test(arguments: RedisTopology.allCases)
        func eventsRecordedOnOneInstanceAreTakenBackOnAnotherOnceAndInOrder(on topology: RedisTopology) async throws {
            try await withRedis(topology) { server, client in
                let channel = RedisCluster.broadcastChannel("/site")
                let inbox = Subscriber.Inbox()
                let subscriber = try RedisSubscriber(configuration: testConfiguration(for: server)) { inbox.receive($0) }
                try await subscriber.waitUntilConnected(timeout: .seconds(5))
                try await subscriber.subscribe([channel])
                let clusterA = try makeCluster(server, client: client, id: "a")
                let clusterB = try makeCluster(server, client: client, id: "b")
                let a = clusterA.makeAdapter(namespace: "/site")
                let b = clusterB.makeAdapter(namespace: "/site")
                a.setRecovery(Self.settings)
                b.setRecovery(Self.settings)

                await a.broadcastAndWait(event("one"), options: BroadcastOptions(rooms: ["news"]))
                let session = RecoverableSession(sid: "sid-1", pid: "pid-1", rooms: ["sid-1", "news"])
                a.track(session)
                await a.broadcastAndWait(event("two"), options: BroadcastOptions(rooms: ["news", "sid-1"]))
                await a.broadcastAndWait(event("elsewhere"), options: BroadcastOptions(rooms: ["other"]))
                await b.broadcastAndWait(event("three"), options: BroadcastOptions(rooms: ["news"]))
                await b.broadcastAndWait(event("not for it"), options: BroadcastOptions(rooms: ["news"], except: ["sid-1"]))

                #expect(await b.currentOffset() == RecoveryOffset(5))
                #expect(await eventually { inbox.messages.count == 5 })
                let offsets = inbox.messages.compactMap { message -> String? in
                    guard case .broadcast(_, _, _, _, _, let offset?) = ClusterMessage.decode(message.text) else { return nil }
                    return offset.description
                }
                #expect(offsets == ["1", "2", "3", "4", "5"], "the channel carries recorded events in offset order")

                #expect(await eventually { await b.session(pid: "pid-1") == session }, "a live session is visible to every instance")
                let missed = try #require(await b.takeMissedEvents(pid: "pid-1", after: RecoveryOffset(1), rooms: session.rooms))
                #expect(missed.events.map(\.textWithOffset) == [#"2/site,["e","two","2"]"#, #"2/site,["e","three","4"]"#])
                #expect(missed.through == RecoveryOffset(5))
                #expect(await b.takeMissedEvents(pid: "pid-1", after: RecoveryOffset(1), rooms: session.rooms) == nil)
                #expect(await a.session(pid: "pid-1") == nil)

                await clusterA.close()
                await clusterB.close()
                await subscriber.close()
            }
        }

        @Test(arguments: RedisTopology.allCases)
        func aClientThatMissedTrimmedEventsIsNotRecovered(on topology: RedisTopology) async throws {
            try await withRedis(topology) { server, client in
                let cluster = try makeCluster(server, client: client, id: "a")
                let adapter = cluster.makeAdapter(namespace: "/site")
                adapter.setRecovery(ConnectionStateRecovery(maxDisconnection: .seconds(60), maxEventsPerRoom: 1))
                for session in [
                    RecoverableSession(sid: "s", pid: "old", rooms: ["s", "news"]),
                    RecoverableSession(sid: "t", pid: "recent", rooms: ["t", "news"]),
                ] {
                    adapter.track(session)
                    adapter.persist(session)
                }
                for key in ["herald:{site}:csr:old", "herald:{site}:csr:recent"] {
                    #expect(await eventually { ((try? await client.send(["PTTL", key]).int) ?? -2) > 0 }, "kept for the window")
                }
                // Streams are trimmed a whole node (100 entries) at a time.
                for number in 1...250 {
                    await adapter.broadcastAndWait(event("\(number)"), options: BroadcastOptions(rooms: ["news"]))
                }
                #expect(await adapter.takeMissedEvents(pid: "old", after: RecoveryOffset(0), rooms: ["s", "news"]) == nil)
                let recent = try #require(await adapter.takeMissedEvents(pid: "recent", after: RecoveryOffset(249), rooms: ["t", "news"]))
                #expect(recent.events.map(\.textWithOffset) == [#"2/site,["e","250","250"]"#])
                await cluster.close()
            }
        }

        @Test(arguments: RedisTopology.allCases)
        func sessionsOfADeadInstanceCanBeTakenBackAndALaterReleaseByItIsIgnored(on topology: RedisTopology) async throws {
            try await withRedis(topology) { server, client in
                let cluster = try makeCluster(server, client: client, id: "dead")
                let adapter = cluster.makeAdapter(namespace: "/site")
                adapter.setRecovery(Self.settings)
                adapter.track(RecoverableSession(sid: "s", pid: "p", rooms: ["s", "news"]))
                let key = "herald:{site}:csr:p"
                #expect(await eventually { (try? await client.send(["EXISTS", key]).int) == 1 })
                #expect(try await client.send(["PTTL", key]).int == -1, "a live session has no expiry")

                #expect(try await client.send(["SISMEMBER", "herald:instsites:dead", "site"]).int == 1)
                _ = try await client.run(
                    RedisStoreScripts.reapInstance,
                    keys: ["herald:{site}:inst:dead", "herald:{site}:csrinst:dead"],
                    arguments: ["herald:{site}:", "0", "60", "dead"]
                )
                let ttl = try #require(try await client.send(["PTTL", key]).int)
                #expect(ttl > 0 && ttl <= 60_000, "the reaper gives the dead instance's sessions the recovery window")
                #expect(try await client.send(["EXISTS", "herald:{site}:csrinst:dead"]).int == 0)

                adapter.persist(RecoverableSession(sid: "s", pid: "p", rooms: ["s", "stale"]))
                await cluster.close()
                let survivor = try makeCluster(server, client: client, id: "b")
                let other = survivor.makeAdapter(namespace: "/site")
                other.setRecovery(Self.settings)
                #expect(await other.session(pid: "p")?.rooms == ["s", "news"], "the dead instance's late release changed nothing")
                await survivor.close()
            }
        }

        @Test func aClientComingBackWhileRedisIsDownGetsAFreshSessionAtOnce() async throws {
            try await withRedis { server, client in
                let cluster = try makeCluster(server, client: client, id: "a")
                let adapter = cluster.makeAdapter(namespace: "/site")
                adapter.setRecovery(Self.settings)
                let session = RecoverableSession(sid: "s", pid: "p", rooms: ["s", "news"])
                adapter.track(session)
                await adapter.broadcastAndWait(event("one"), options: BroadcastOptions(rooms: ["news"]))
                #expect(await eventually { (try? await client.send(["EXISTS", "herald:{site}:csr:p"]).int) == 1 })
                server.stop()
                let started = ContinuousClock.now
                #expect(await adapter.session(pid: "p") == nil)
                #expect(await adapter.takeMissedEvents(pid: "p", after: RecoveryOffset(0), rooms: session.rooms) == nil)
                #expect(await adapter.currentOffset() == RecoveryOffset(0))
                #expect(ContinuousClock.now - started < .seconds(10), "a dead Redis must not hold a connecting client")
                await cluster.close()
            }
        }

        /// An instance of an older version kept its sessions of all sites in `herald:csrinst:<id>`, fields
        /// `["site","pid"]`; when it dies during a rolling upgrade, the reaper still marks them gone.
        @Test func sessionsInTheHashOfAnOlderVersionAreReaped() async throws {
            try await withRedis { _, client in
                let key = "herald:{site}:csr:p"
                _ = try await client.send(["SET", key, #"{"s":"s","r":["s"],"i":"old","w":60000}"#])
                _ = try await client.send(["HSET", "herald:csrinst:old", #"["site","p"]"#, "1"])
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
                #expect(await eventually { ((try? await client.send(["PTTL", key]).int) ?? -2) > 0 }, "marked gone: kept for the window")
                #expect(await eventually { (try? await client.send(["EXISTS", "herald:csrinst:old"]).int) == 0 })
                #expect(try await client.send(["SISMEMBER", "herald:instances", "old"]).int == 0)
            }
        }
    }
}
