import Testing

@testable import HeraldRedis

extension RedisTests {
    /// The fixture itself: a test must never end up talking to another test's redis-server, which is how
    /// contract tests sharing keys failed at random when two servers were handed the same port.
    @Suite struct ServerProcess {
        @Test func aTakenPortIsRetriedElsewhereInsteadOfBorrowingItsServer() async throws {
            try await withRedis { occupant, _ in
                var offered = [occupant.port]
                let server = try await RedisServerProcess.start(.init()) {
                    offered.popLast() ?? Int.random(in: RedisServerProcess.portRange)
                }
                defer { server.stop() }
                #expect(server.port != occupant.port)
                try await expectOwnServer(server)
            }
        }

        @Test func restartOnAPortTakenMeanwhileFailsInsteadOfBorrowingItsServer() async throws {
            let server = try await RedisServerProcess.start()
            defer { server.stop() }
            server.kill()
            let occupant = try await RedisServerProcess.start(.init()) { server.port }
            defer { occupant.stop() }
            await #expect {
                try await server.restart()
            } throws: { error in
                if case RedisServerProcess.Failure.portTaken(let port, _) = error { port == server.port } else { false }
            }
            occupant.stop()
            try await server.restart()
            try await expectOwnServer(server)
        }

        private func expectOwnServer(_ server: RedisServerProcess) async throws {
            let client = try RedisClient(configuration: try testConfiguration(for: server))
            try await client.waitUntilConnected(timeout: .seconds(5))
            let info = try await client.send(["INFO", "server"]).string ?? ""
            await client.close()
            let pid = try #require(server.processIdentifier)
            #expect(info.contains("process_id:\(pid)\r\n"), "the client reached another redis-server")
        }
    }
}
