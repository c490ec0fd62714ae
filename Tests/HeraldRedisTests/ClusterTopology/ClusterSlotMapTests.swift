import Testing

@testable import HeraldRedis

@Suite struct ClusterSlotMapTests {
    private let origin = RedisNodeAddress(host: "10.0.0.9", port: 7000)

    private func node(_ ip: String, _ port: Int, role: String, health: String = "online", endpoint: String? = nil) -> RedisValue {
        .array([
            .bulkString(Array("id".utf8)), .bulkString(Array("abc".utf8)),
            .bulkString(Array("port".utf8)), .integer(port),
            .bulkString(Array("ip".utf8)), .bulkString(Array(ip.utf8)),
            .bulkString(Array("endpoint".utf8)), .bulkString(Array((endpoint ?? ip).utf8)),
            .bulkString(Array("role".utf8)), .bulkString(Array(role.utf8)),
            .bulkString(Array("replication-offset".utf8)), .integer(42),
            .bulkString(Array("health".utf8)), .bulkString(Array(health.utf8)),
        ])
    }

    private func shard(_ slots: [Int], _ nodes: [RedisValue]) -> RedisValue {
        .array([
            .bulkString(Array("slots".utf8)), .array(slots.map(RedisValue.integer)),
            .bulkString(Array("nodes".utf8)), .array(nodes),
        ])
    }

    @Test func shardsMapEverySlotToItsMaster() throws {
        let reply = RedisValue.array([
            shard([0, 5460], [node("10.0.0.1", 7000, role: "master"), node("10.0.0.4", 7003, role: "replica")]),
            shard([5461, 10922], [node("10.0.0.2", 7001, role: "master")]),
            shard([10923, 16000, 16001, 16383], [node("10.0.0.3", 7002, role: "master")]),
        ])
        let map = try #require(ClusterSlotMap(shards: reply, origin: origin))
        #expect(map.coversEverySlot)
        #expect(map.master(of: ClusterSlot(0)) == RedisNodeAddress(host: "10.0.0.1", port: 7000))
        #expect(map.master(of: ClusterSlot(key: "foo")) == RedisNodeAddress(host: "10.0.0.3", port: 7002))
        #expect(map.master(of: ClusterSlot(16383)) == RedisNodeAddress(host: "10.0.0.3", port: 7002))
        #expect(map.nodes.contains(RedisNodeAddress(host: "10.0.0.4", port: 7003)))
        #expect(map.servingMasters.count == 3)
    }

    /// After a failover the dead master may still be listed as a master, failed: the promoted replica serves.
    @Test func anOnlineMasterWinsOverAFailedOne() throws {
        let reply = RedisValue.array([
            shard(
                [0, 16383],
                [node("10.0.0.1", 7000, role: "master", health: "fail"), node("10.0.0.4", 7003, role: "master")]
            )
        ])
        let map = try #require(ClusterSlotMap(shards: reply, origin: origin))
        #expect(map.master(of: ClusterSlot(1)) == RedisNodeAddress(host: "10.0.0.4", port: 7003))
        #expect(map.servingMasters == [RedisNodeAddress(host: "10.0.0.4", port: 7003)])
    }

    /// A broken or hostile node: a slot range far past 16383 is cut to the slots that exist (at once, not slot by
    /// slot), a range wholly outside assigns nothing, and a node whose port cannot be one is not used.
    @Test func slotsOutsideTheClusterAndUnusablePortsAreIgnored() throws {
        let reply = RedisValue.array([
            shard([-5, Int.max], [node("10.0.0.1", 7000, role: "master")]),
            shard([20000, 30000], [node("10.0.0.2", 7001, role: "master")]),
            shard([0, 100], [node("10.0.0.3", 0, role: "master"), node("10.0.0.4", 70000, role: "master")]),
        ])
        let map = try #require(ClusterSlotMap(shards: reply, origin: origin))
        #expect(map.coversEverySlot)
        #expect(map.servingMasters == [RedisNodeAddress(host: "10.0.0.1", port: 7000)])
        #expect(!map.nodes.contains { !(1...65535).contains($0.port) })
        let slots = RedisValue.array([
            .array([.integer(0), .integer(16383), .array([.bulkString(Array("10.0.0.5".utf8)), .integer(-1)])])
        ])
        #expect(ClusterSlotMap(slots: slots, origin: origin) == nil)
    }

    @Test func anUnknownEndpointMeansTheAskedHost() throws {
        let reply = RedisValue.array([shard([0, 16383], [node("", 7005, role: "master", endpoint: "?")])])
        let map = try #require(ClusterSlotMap(shards: reply, origin: origin))
        #expect(map.master(of: ClusterSlot(1)) == RedisNodeAddress(host: "10.0.0.9", port: 7005))
    }

    @Test func tlsClientsUseTheTLSPort() throws {
        let tlsNode = RedisValue.array([
            .bulkString(Array("port".utf8)), .integer(7000), .bulkString(Array("tls-port".utf8)), .integer(17000),
            .bulkString(Array("ip".utf8)), .bulkString(Array("10.0.0.1".utf8)),
            .bulkString(Array("role".utf8)), .bulkString(Array("master".utf8)),
        ])
        let reply = RedisValue.array([shard([0, 16383], [tlsNode])])
        #expect(try #require(ClusterSlotMap(shards: reply, origin: origin, tls: true)).masters.first?.port == 17000)
        #expect(try #require(ClusterSlotMap(shards: reply, origin: origin)).masters.first?.port == 7000)
    }

    @Test func uncoveredSlotsHaveNoMaster() throws {
        let map = try #require(ClusterSlotMap(shards: .array([shard([0, 99], [node("a", 1, role: "master")])]), origin: origin))
        #expect(!map.coversEverySlot)
        #expect(map.master(of: ClusterSlot(100)) == nil)
    }

    @Test func slotsReplyOfOlderServers() throws {
        let reply = RedisValue.array([
            .array([
                .integer(0), .integer(8191),
                .array([.bulkString(Array("10.0.0.1".utf8)), .integer(7000), .bulkString(Array("id1".utf8))]),
                .array([.bulkString(Array("10.0.0.4".utf8)), .integer(7003), .bulkString(Array("id4".utf8))]),
            ]),
            .array([
                .integer(8192), .integer(16383),
                .array([.bulkString(Array("10.0.0.2".utf8)), .integer(7001), .bulkString(Array("id2".utf8))]),
            ]),
        ])
        let map = try #require(ClusterSlotMap(slots: reply, origin: origin))
        #expect(map.coversEverySlot)
        #expect(map.master(of: ClusterSlot(8192)) == RedisNodeAddress(host: "10.0.0.2", port: 7001))
        #expect(map.nodes.count == 3)
    }

    @Test(arguments: [RedisValue.error("ERR unknown command"), .integer(1), .array([.integer(1)]), .array([.array([.integer(0)])])])
    func whatIsNotAMapIsRefused(reply: RedisValue) {
        #expect(ClusterSlotMap(shards: reply, origin: origin) == nil)
        #expect(ClusterSlotMap(slots: reply, origin: origin) == nil)
    }

    @Test func movedReassignsOneSlot() throws {
        var map = try #require(ClusterSlotMap(shards: .array([shard([0, 16383], [node("a", 1, role: "master")])]), origin: origin))
        map.assign(5...5, to: RedisNodeAddress(host: "b", port: 2))
        #expect(map.master(of: ClusterSlot(5)) == RedisNodeAddress(host: "b", port: 2))
        #expect(map.master(of: ClusterSlot(6)) == RedisNodeAddress(host: "a", port: 1))
        #expect(map.servingMasters.count == 2)
    }
}
