import HeraldRedis
import Testing

extension RedisTests {
    @Suite struct Commands {
        @Test func basicCommandsReturnTypedReplies() async throws {
            try await withRedis { _, client in
                #expect(try await client.send(["PING"]) == .simpleString("PONG"))
                #expect(try await client.send(["SET", "greeting", "hello"]) == .simpleString("OK"))
                #expect(try await client.send(["GET", "greeting"]).string == "hello")
                #expect(try await client.send(["GET", "missing"]).isNull)
                #expect(try await client.send(["INCRBY", "counter", "5"]) == .integer(5))
                _ = try await client.send(["RPUSH", "list", "a", "b", "c"])
                #expect(try await client.send(["LRANGE", "list", "0", "-1"]).array?.compactMap(\.string) == ["a", "b", "c"])
                #expect(try await client.send(["LRANGE", "nothing", "0", "-1"]) == .array([]))
            }
        }

        @Test func valuesAreBinarySafe() async throws {
            try await withRedis { _, client in
                let everyByte = (0...255).map { UInt8($0) }
                let key: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x24]
                #expect(try await client.send(bytes: [Array(utf8: "SET"), key, everyByte]) == .simpleString("OK"))
                #expect(try await client.send(bytes: [Array(utf8: "GET"), key]) == .bulkString(everyByte))
                #expect(try await client.send(bytes: [Array(utf8: "STRLEN"), key]) == .integer(256))

                _ = try await client.send(["SET", "empty", ""])
                let empty = try await client.send(["GET", "empty"])
                #expect(empty == .bulkString([]))
                #expect(!empty.isNull)
            }
        }

        @Test func largeValueSpanningManyReadsRoundTrips() async throws {
            try await withRedis { _, client in
                let large = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
                _ = try await client.send(RedisCommand("SET", bytes: [Array(utf8: "large"), large]))
                #expect(try await client.send(["GET", "large"]).bytes == large)
            }
        }

        @Test func thousandPipelinedCommandsAnswerInOrder() async throws {
            try await withRedis { _, client in
                let replies = try await client.pipeline((1...1000).map { _ in ["INCR", "sequence"] })
                #expect(replies == (1...1000).map { RedisValue.integer($0) })

                let mixed = try await client.pipeline((0..<1000).map { RedisCommand("ECHO", ["value-\($0)"]) })
                #expect(mixed.map(\.string) == (0..<1000).map { "value-\($0)" })
            }
        }

        @Test func concurrentCallersEachGetTheirOwnReply() async throws {
            try await withRedis { _, client in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            let value = try await client.send(["ECHO", "caller-\(index)"])
                            return value.string == "caller-\(index)"
                        }
                    }
                    var answered = 0
                    for try await matched in group {
                        #expect(matched)
                        answered += 1
                    }
                    #expect(answered == 200)
                }
            }
        }

        @Test func errorRepliesThrowServerErrors() async throws {
            try await withRedis { _, client in
                let unknown = await redisError { _ = try await client.send(["NOSUCHCOMMAND", "x"]) }
                guard case .server(let message) = unknown else {
                    Issue.record("expected a server error, got \(String(describing: unknown))")
                    return
                }
                #expect(message.hasPrefix("ERR unknown command"))

                _ = try await client.send(["SET", "text", "x"])
                let wrongType = await redisError { _ = try await client.send(["LPUSH", "text", "y"]) }
                #expect(wrongType.map { "\($0)" }?.contains("WRONGTYPE") == true)

                #expect(try await client.send(["PING"]) == .simpleString("PONG"))
            }
        }

        @Test func pipelineKeepsErrorRepliesInPlace() async throws {
            try await withRedis { _, client in
                let replies = try await client.pipeline([["SET", "a", "1"], ["INCR", "a", "extra"], ["INCR", "a"]])
                #expect(replies[0] == .simpleString("OK"))
                #expect(replies[1].errorMessage?.hasPrefix("ERR wrong number of arguments") == true)
                #expect(replies[2] == .integer(2))
                #expect(try await client.pipeline([RedisCommand]()) == [])
            }
        }

        @Test func sequentialSendsFromOneCallerRunInOrder() async throws {
            try await withRedis { _, client in
                for index in 0..<100 {
                    _ = try await client.send(["RPUSH", "order", String(index)])
                }
                #expect(try await client.send(["LRANGE", "order", "0", "-1"]).array?.compactMap(\.int) == Array(0..<100))
            }
        }
    }
}
