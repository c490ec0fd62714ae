import Testing

@testable import HeraldRedis

@Suite struct ClusterPipelinePlanTests {
    @Test func commandsAreRoutedByTheirKey() {
        #expect(RedisCommand(["GET", "foo"]).clusterKey == Array("foo".utf8))
        #expect(RedisCommand(["SPUBLISH", "herald:{a}:bc", "x"]).clusterKey == Array("herald:{a}:bc".utf8))
        #expect(RedisCommand(["evalsha", "abc", "2", "k1", "k2", "arg"]).clusterKey == Array("k1".utf8))
        #expect(RedisCommand(["EVAL", "return 1", "0", "arg"]).clusterKey == nil)
        #expect(RedisCommand(["PUBLISH", "herald:send", "x"]).clusterKey == nil)
        #expect(RedisCommand(["WAIT", "1", "100"]).clusterKey == nil)
        #expect(RedisCommand(["PING"]).clusterKey == nil)
    }

    @Test func keylessCommandsFollowThePrecedingKeyedOne() {
        let plan = ClusterPipelinePlan([
            RedisCommand(["EVALSHA", "abc", "1", "a", "x"]),
            RedisCommand(["WAIT", "1", "100"]),
            RedisCommand(["SET", "b", "1"]),
        ])
        #expect(
            plan.units == [
                .init(range: 0..<2, slot: ClusterSlot(key: "a")),
                .init(range: 2..<3, slot: ClusterSlot(key: "b")),
            ]
        )
    }

    @Test func leadingKeylessCommandsJoinTheFirstKeyedOne() {
        let plan = ClusterPipelinePlan([RedisCommand(["MULTI"]), RedisCommand(["SET", "a", "1"]), RedisCommand(["EXEC"])])
        #expect(plan.units == [.init(range: 0..<3, slot: ClusterSlot(key: "a"))])
    }

    @Test func aKeylessPipelineIsOneUnitForAnyNode() {
        let plan = ClusterPipelinePlan([RedisCommand(["PING"]), RedisCommand(["PUBLISH", "c", "m"])])
        #expect(plan.units == [.init(range: 0..<2, slot: nil)])
    }

    @Test func repliesOfAnUnreachableNodeBecomeErrorsInTheirPlace() throws {
        let plan = ClusterPipelinePlan([
            RedisCommand(["SET", "a", "1"]), RedisCommand(["WAIT", "1", "0"]), RedisCommand(["GET", "b"]),
        ])
        let replies = try plan.replies(
            from: [.failure(RedisError.unavailable), .success([.bulkString(Array("2".utf8))])],
            spansNodes: true
        )
        #expect(replies.count == 3)
        #expect(replies[0].errorMessage?.hasPrefix("CLUSTERDOWN") == true)
        #expect(replies[1].errorMessage?.hasPrefix("CLUSTERDOWN") == true)
        #expect(replies[2] == .bulkString(Array("2".utf8)))
    }

    @Test func aPipelineThatReachedNoNodeThrows() {
        let plan = ClusterPipelinePlan([RedisCommand(["GET", "a"]), RedisCommand(["GET", "b"])])
        #expect(throws: RedisError.unavailable) {
            try plan.replies(from: [.failure(RedisError.unavailable), .failure(RedisError.timedOut)], spansNodes: true)
        }
        #expect(throws: RedisError.timedOut) {
            try plan.replies(from: [.success([.null]), .failure(RedisError.timedOut)], spansNodes: false)
        }
    }
}
