import HeraldRedis
import Testing

extension RedisTests {
    @Suite struct Scripts {
        static let pushAndCount = RedisScript(
            """
            redis.call('RPUSH', KEYS[1], ARGV[1])
            return redis.call('LLEN', KEYS[1])
            """
        )

        @Test func digestMatchesTheOneRedisComputes() async throws {
            try await withRedis { _, client in
                let loaded = try await client.send(["SCRIPT", "LOAD", Self.pushAndCount.source])
                #expect(loaded.string == Self.pushAndCount.sha1)
            }
        }

        @Test func runUsesEvalSHAAndFallsBackAfterScriptFlush() async throws {
            try await withRedis { _, client in
                #expect(try await client.run(Self.pushAndCount, keys: ["queue"], arguments: ["a"]) == .integer(1))
                #expect(try await client.send(["SCRIPT", "EXISTS", Self.pushAndCount.sha1]) == .array([.integer(1)]))
                #expect(try await client.run(Self.pushAndCount, keys: ["queue"], arguments: ["b"]) == .integer(2))

                _ = try await client.send(["SCRIPT", "FLUSH"])
                #expect(try await client.send(["SCRIPT", "EXISTS", Self.pushAndCount.sha1]) == .array([.integer(0)]))
                #expect(try await client.run(Self.pushAndCount, keys: ["queue"], arguments: ["c"]) == .integer(3))
                #expect(try await client.send(["SCRIPT", "EXISTS", Self.pushAndCount.sha1]) == .array([.integer(1)]))
                #expect(try await client.send(["LRANGE", "queue", "0", "-1"]).array?.compactMap(\.string) == ["a", "b", "c"])
            }
        }

        @Test func binaryArgumentsReachTheScript() async throws {
            try await withRedis { _, client in
                let echo = RedisScript("return ARGV[1]")
                let everyByte = (0...255).map { UInt8($0) }
                let echoed = try await client.run(echo, keys: [], arguments: [everyByte])
                #expect(echoed == .bulkString(everyByte))
            }
        }

        @Test func scriptErrorsThrowServerErrors() async throws {
            try await withRedis { _, client in
                let failing = RedisScript("return redis.error_reply('QUEUE_FULL too many messages')")
                #expect(await redisError { _ = try await client.run(failing) } == .server("QUEUE_FULL too many messages"))
            }
        }
    }
}
