import HeraldRedis
import NIOConcurrencyHelpers
import Testing

extension RedisTests {
    /// Misbehaving cluster nodes, played by a scripted server that claims every slot and then answers every command
    /// with the same error.
    @Suite struct ClusterRedirectLimits {
        private func withNode(
            answering error: @escaping @Sendable (Int) -> String,
            _ body: (RedisClient, Int) async throws -> Void
        ) async throws {
            let port = NIOLockedValueBox(0)
            let mapServed = NIOLockedValueBox(false)
            let server = try await ScriptedRESPServer.start(answeringCommands: { _, commands in
                let own = port.withLockedValue { $0 }
                return commands.map { command in
                    if command == "PING" {
                        return "+PONG\r\n"
                    }
                    let serveMap =
                        command == "CLUSTER"
                        && mapServed.withLockedValue { served in
                            defer { served = true }
                            return !served
                        }
                    guard serveMap else {
                        return error(own)
                    }
                    let node =
                        "*6\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n:\(own)\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                    return "*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n" + node
                }.joined()
            })
            port.withLockedValue { $0 = server.port }
            var configuration = try RedisConfiguration(clusterSeeds: ["127.0.0.1:\(server.port)"])
            configuration.commandTimeout = .milliseconds(500)
            configuration.reconnectBackoff = RedisReconnectBackoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))
            let client = try RedisClient(configuration: configuration)
            do {
                try await client.waitUntilConnected(timeout: .seconds(5))
                try await body(client, server.port)
            } catch {
                await client.close()
                try await server.stop()
                throw error
            }
            await client.close()
            try await server.stop()
        }

        @Test func aRedirectLoopEndsWithTheRedirectAsTheError() async throws {
            try await withNode(answering: { "-MOVED 866 127.0.0.1:\($0)\r\n" }) { client, port in
                let error = await redisError { _ = try await client.send(["GET", "hello"]) }
                #expect(error == .server("MOVED 866 127.0.0.1:\(port)"))
            }
        }

        @Test func aClusterThatStaysDownFailsWithinTheCommandTimeout() async throws {
            try await withNode(answering: { _ in "-CLUSTERDOWN The cluster is down\r\n" }) { client, _ in
                let error = await redisError { _ = try await client.send(["GET", "hello"]) }
                #expect(error == .server("CLUSTERDOWN The cluster is down"))
            }
        }

        @Test func aTransientErrorIsRetriedUntilTheNodeAnswers() async throws {
            let tries = NIOLockedValueBox(0)
            let answer: @Sendable (Int) -> String = { _ in
                let attempt = tries.withLockedValue { count in
                    count += 1
                    return count
                }
                return attempt < 3 ? "-TRYAGAIN Multiple keys request during rehashing of slot\r\n" : "$5\r\nvalue\r\n"
            }
            try await withNode(answering: answer) { client, _ in
                let value = try await client.send(["GET", "hello"])
                #expect(value == .bulkString(Array("value".utf8)))
                #expect(tries.withLockedValue { $0 } == 3)
            }
        }

        @Test func unreachableSeedsFailFastAndSayWhy() async throws {
            let closed = try ClosedPort()
            var configuration = try RedisConfiguration(clusterSeeds: ["127.0.0.1:\(closed.port)"])
            configuration.connectTimeout = .milliseconds(200)
            let client = try RedisClient(configuration: configuration)
            #expect(await eventually { if case .disconnected = client.state { true } else { false } })
            #expect(await redisError { _ = try await client.send(["GET", "k"]) } == .unavailable)
            #expect(await redisError { try await client.waitUntilConnected(timeout: .milliseconds(100)) } == .timedOut)
            await client.close()
            #expect(client.state == .closed)
            #expect(await redisError { _ = try await client.send(["GET", "k"]) } == .closed)
        }
    }
}
