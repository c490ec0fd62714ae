import Herald
import Logging
import MessageStoreContract
import NIOConcurrencyHelpers
import Testing

@testable import HeraldRedis

extension RedisTests {
    @Suite struct RedisPresenceStoreTests {
        @Test(arguments: PresenceStoreContract.allCases, RedisTopology.allCases)
        func contract(_ rule: PresenceStoreContract, on topology: RedisTopology) async throws {
            try await withRedis(topology) { _, client in
                try await rule.check { { RedisPresenceStore(client: client, instanceID: $0) } }
            }
        }

        /// A store that records a socket lists its instance for reaping, with a liveness key, even before the
        /// registry's first heartbeat.
        @Test(arguments: RedisTopology.allCases)
        func arrivalListsTheInstanceForReaping(on topology: RedisTopology) async throws {
            try await withRedis(topology) { _, client in
                let store = RedisPresenceStore(client: client, instanceID: "i1", instanceTimeout: .seconds(30))
                _ = try await store.arrive(PresenceMember(user: "1", deviceID: "d"), site: "s", rooms: ["r"])
                #expect(try await client.send(["SISMEMBER", "herald:instances", "i1"]).int == 1)
                #expect(try await client.send(["EXISTS", "herald:alive:i1"]).int == 1)
                #expect(try await client.send(["SISMEMBER", "herald:instsites:i1", "s"]).int == 1)
                #expect(try await client.send(["HGET", "herald:{s}:pr:r", "1:d"]).string == "1")
                #expect(try await client.send(["HGET", "herald:{s}:prinst:i1", "r:1:d"]).string == "1")
            }
        }

        /// The registry's reaping hands the dead instance's presence to the tracker before it forgets the instance:
        /// its members leave and `_leave` is announced.
        @Test(arguments: RedisTopology.allCases)
        func registryReapsPresenceOfADeadInstance(on topology: RedisTopology) async throws {
            try await withRedis(topology) { _, client in
                let member = PresenceMember(user: "1", deviceID: "d")
                let dead = RedisPresenceStore(client: client, instanceID: "dead", instanceTimeout: .milliseconds(1))
                _ = try await dead.arrive(member, site: "s", rooms: ["r"])
                _ = try await dead.arrive(member, site: "other", rooms: ["r"])
                let live = RedisPresenceStore(client: client, instanceID: "live")
                let announcements = Announcements()
                let tracker = PresenceTracker(store: live, announcer: announcements, logger: Logger(label: "test"))
                let registry = RedisInstanceRegistry(
                    client: client,
                    instanceID: "live",
                    deviceTTL: 60,
                    interval: .milliseconds(20),
                    logger: Logger(label: "test")
                )
                registry.reapPresence(with: tracker)
                let run = Task { await registry.run() }
                defer { run.cancel() }
                #expect(await eventually { !announcements.events.isEmpty })
                #expect(await eventually { announcements.events.count == 2 })
                #expect(announcements.events.sorted() == ["_leave other r 1 d", "_leave s r 1 d"], "every site the dead instance listed")
                #expect(try await live.members(site: "s", room: "r") == [])
                #expect(try await live.members(site: "other", room: "r") == [])
                #expect(await eventually { (try? await client.send(["SISMEMBER", "herald:instances", "dead"]).int) == 0 })
                #expect(try await client.send(["EXISTS", "herald:instsites:dead"]).int == 0)
            }
        }
    }
}

private final class Announcements: PresenceAnnouncer {
    private let recorded = NIOLockedValueBox<[String]>([])

    var events: [String] { recorded.withLockedValue { $0 } }

    func announce(_ event: HeraldEvent, _ member: PresenceMember, room: String, site: String) {
        recorded.withLockedValue { $0.append("\(event.rawValue) \(site) \(room) \(member.user) \(member.deviceID)") }
    }
}
