import HeraldRedis
import Testing

extension RedisTests {
    @Suite struct Authentication {
        @Test func requirepassWithThePasswordFromTheURL() async throws {
            try await withRedis(.init(password: "pa ss@word")) { _, client in
                #expect(client.configuration.password == "pa ss@word")
                let user = try await client.send(["ACL", "WHOAMI"])
                #expect(user.string == "default")
            }
        }

        @Test func wrongPasswordKeepsTheClientUnavailableWithTheReason() async throws {
            let server = try await RedisServerProcess.start(.init(password: "right"))
            defer { server.stop() }
            let client = try RedisClient(configuration: testConfiguration(for: server, url: "redis://:wrong@127.0.0.1:\(server.port)"))
            let waited = await redisError { try await client.waitUntilConnected(timeout: .milliseconds(500)) }
            #expect(waited == .timedOut)
            guard case .disconnected(let reason) = client.state else {
                Issue.record("expected disconnected, got \(client.state)")
                await client.close()
                return
            }
            #expect(reason.contains("WRONGPASS"))
            #expect(!reason.contains("wrong"))
            #expect(await redisError { _ = try await client.send(["PING"]) } == .unavailable)
            await client.close()
        }

        @Test func missingPasswordIsReportedAsNoAuth() async throws {
            let server = try await RedisServerProcess.start(.init(password: "right"))
            defer { server.stop() }
            let client = try RedisClient(configuration: testConfiguration(for: server, url: "redis://127.0.0.1:\(server.port)"))
            #expect(await redisError { try await client.waitUntilConnected(timeout: .milliseconds(500)) } == .timedOut)
            guard case .disconnected(let reason) = client.state else {
                Issue.record("expected disconnected, got \(client.state)")
                await client.close()
                return
            }
            #expect(reason.contains("NOAUTH"))
            await client.close()
        }

        @Test func aclUserWithPercentEncodedPassword() async throws {
            try await withRedis(.init(password: "admin")) { server, admin in
                _ = try await admin.send(["ACL", "SETUSER", "herald", "on", ">p@ss:w/rd", "~herald:*", "+@all"])
                let url = "redis://herald:p%40ss%3Aw%2Frd@127.0.0.1:\(server.port)"
                let client = try RedisClient(configuration: testConfiguration(for: server, url: url))
                try await client.waitUntilConnected(timeout: .seconds(5))
                #expect(try await client.send(["ACL", "WHOAMI"]).string == "herald")
                #expect(try await client.send(["SET", "herald:key", "v"]) == .simpleString("OK"))
                let denied = await redisError { _ = try await client.send(["SET", "other:key", "v"]) }
                #expect(denied.map { "\($0)" }?.contains("NOPERM") == true)
                await client.close()
            }
        }

        @Test func databaseFromTheURLIsSelected() async throws {
            try await withRedis { server, client in
                let third = try RedisClient(configuration: testConfiguration(for: server, url: "redis://127.0.0.1:\(server.port)/3"))
                try await third.waitUntilConnected(timeout: .seconds(5))
                _ = try await third.send(["SET", "where", "three"])
                #expect(try await third.send(["CLIENT", "INFO"]).string?.contains(" db=3 ") == true)
                #expect(try await client.send(["GET", "where"]).isNull)
                _ = try await client.send(["SELECT", "3"])
                #expect(try await client.send(["GET", "where"]).string == "three")
                await third.close()
            }
        }
    }
}
