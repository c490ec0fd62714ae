import HeraldRedis
import Testing

extension RedisTests {
    @Suite struct ProtocolErrors {
        private func client(for server: ScriptedRESPServer) throws -> RedisClient {
            var configuration = RedisConfiguration(port: server.port)
            configuration.reconnectBackoff = RedisReconnectBackoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(100))
            return try RedisClient(configuration: configuration)
        }

        @Test func bytesThatAreNotRESPFailTheCommandAndReopenTheConnection() async throws {
            let server = try await ScriptedRESPServer.start { read in read == 0 ? "+PONG\r\n" : "%bogus\r\n" }
            let client = try client(for: server)
            try await client.waitUntilConnected(timeout: .seconds(5))
            let failure = await redisError { _ = try await client.send(["GET", "x"]) }
            guard case .protocolError(let message) = failure else {
                Issue.record("expected a protocol error, got \(String(describing: failure))")
                await client.close()
                try await server.stop()
                return
            }
            #expect(message.contains("Protocol error"))
            #expect(await eventually { server.acceptedConnections >= 2 })
            try await client.waitUntilConnected(timeout: .seconds(5))
            await client.close()
            try await server.stop()
        }

        /// A server announcing an array of a billion elements: hiredis would allocate its element table at once; the
        /// bounded reader refuses it, the command fails and the connection is reopened, the process unharmed.
        @Test func anArrayHeaderTooLongToBeAReplyFailsTheCommandInsteadOfAllocatingIt() async throws {
            let server = try await ScriptedRESPServer.start { read in read == 0 ? "+PONG\r\n" : "*1000000000\r\n" }
            let client = try client(for: server)
            try await client.waitUntilConnected(timeout: .seconds(5))
            let failure = await redisError { _ = try await client.send(["SMEMBERS", "x"]) }
            guard case .protocolError(let message) = failure else {
                Issue.record("expected a protocol error, got \(String(describing: failure))")
                await client.close()
                try await server.stop()
                return
            }
            #expect(message.contains("Out of memory"), "\(message)")
            #expect(await eventually { server.acceptedConnections >= 2 })
            await client.close()
            try await server.stop()
        }

        @Test func replyNobodyAskedForClosesTheConnection() async throws {
            let server = try await ScriptedRESPServer.start { read in read == 0 ? "+PONG\r\n" : "$3\r\none\r\n$3\r\ntwo\r\n" }
            let client = try client(for: server)
            try await client.waitUntilConnected(timeout: .seconds(5))
            let reply = try await client.send(["GET", "x"])
            #expect(reply.string == "one")
            #expect(await eventually { server.acceptedConnections >= 2 })
            await client.close()
            try await server.stop()
        }
    }
}
