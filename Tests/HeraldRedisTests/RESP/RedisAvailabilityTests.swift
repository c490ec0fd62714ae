import HeraldRedis
import NIOConcurrencyHelpers
import Testing

extension RedisTests {
    @Suite struct Availability {
        @Test func slowCommandTimesOutAndTheConnectionIsReopened() async throws {
            try await withRedis(configure: { $0.commandTimeout = .seconds(2) }) { server, client in
                let monitor = try RedisClient(configuration: try testConfiguration(for: server))
                try await monitor.waitUntilConnected(timeout: .seconds(5))
                let clock = ContinuousClock()
                let start = clock.now
                // BLPOP blocks only its own connection, so the monitor can see that it was written before the PING.
                async let slow = redisError { _ = try await client.send(["BLPOP", "never-filled", "10"]) }
                let blocked = await eventually {
                    (try? await monitor.send(["CLIENT", "LIST"]).string)?.contains("cmd=blpop") == true
                }
                #expect(blocked, "the slow command should be in flight")
                await monitor.close()
                let behind = await redisError { _ = try await client.send(["PING"]) }
                #expect(await slow == .timedOut)
                #expect(clock.now - start < .seconds(8), "the client should give up at its timeout, not wait for the reply")
                guard case .connectionLost = behind else {
                    Issue.record("a command queued behind the timed-out one should fail as lost, got \(String(describing: behind))")
                    return
                }

                // The timed-out connection closes asynchronously; until the new one is up, commands fail fast.
                let recovered = await eventually {
                    (try? await client.send(["ECHO", "after"]).string) == "after"
                }
                #expect(recovered, "the same client should work again once its connection is reopened")
            }
        }

        @Test func neverReachableServerFailsFast() async throws {
            let closed = try ClosedPort()
            var configuration = RedisConfiguration(port: closed.port)
            configuration.reconnectBackoff = RedisReconnectBackoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(100))
            configuration.connectTimeout = .seconds(20)
            configuration.commandTimeout = .seconds(20)
            let client = try RedisClient(configuration: configuration)
            #expect(
                await eventually(timeout: .seconds(2)) {
                    if case .disconnected = client.state { true } else { false }
                }
            )
            let clock = ContinuousClock()
            let start = clock.now
            #expect(await redisError { _ = try await client.send(["PING"]) } == .unavailable)
            // Fast: well short of the 20 s connect and command timeouts it would otherwise wait for.
            #expect(clock.now - start < .seconds(5))
            #expect(!client.isConnected)
            await client.close()
            withExtendedLifetime(closed) {}
        }

        @Test func killedServerFailsFastThenTheSameClientRecovers() async throws {
            try await withRedis(configure: { $0.commandTimeout = .seconds(20) }) { server, client in
                let states = NIOLockedValueBox<[RedisConnectionState]>([])
                let observer = Task {
                    for await state in client.stateChanges() {
                        states.withLockedValue { $0.append(state) }
                    }
                }
                #expect(await eventually { states.withLockedValue { $0 } == [.connected] })

                server.kill()
                #expect(await eventually { !client.isConnected })
                let clock = ContinuousClock()
                let start = clock.now
                #expect(await redisError { _ = try await client.send(["PING"]) } == .unavailable)
                #expect(clock.now - start < .seconds(5), "well short of the 20 s command timeout")

                try await Task.sleep(for: .milliseconds(500))
                try await server.restart()
                try await client.waitUntilConnected(timeout: .seconds(5))
                #expect(try await client.send(["SET", "back", "yes"]) == .simpleString("OK"))

                #expect(await eventually { states.withLockedValue { $0.count } == 3 })
                let seen = states.withLockedValue { $0 }
                #expect(seen.count == 3)
                #expect(seen.first == .connected)
                if case .disconnected = seen.dropFirst().first {
                } else {
                    Issue.record("expected one disconnected state per outage, saw \(seen)")
                }
                #expect(seen.last == .connected)

                await client.close()
                await observer.value
                #expect(states.withLockedValue { $0.last } == .closed)
            }
        }

        @Test func closedClientRefusesCommands() async throws {
            try await withRedis { _, client in
                await client.close()
                #expect(client.state == .closed)
                #expect(await redisError { _ = try await client.send(["PING"]) } == .closed)
                #expect(await redisError { try await client.waitUntilConnected(timeout: .seconds(1)) } == .closed)
                var ended = false
                for await state in client.stateChanges() {
                    #expect(state == .closed)
                    ended = true
                }
                #expect(ended)
            }
        }
    }
}
