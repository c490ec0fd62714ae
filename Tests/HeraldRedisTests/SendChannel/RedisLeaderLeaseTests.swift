import Testing

@testable import HeraldRedis

@Suite(.timeLimit(.minutes(1)))
struct RedisLeaderLeaseTests {
    private func lease(_ owner: String, _ client: RedisClient, ttl: Duration = .milliseconds(600)) -> RedisLeaderLease {
        RedisLeaderLease(client: client, key: "herald:send:leader", owner: owner, timeToLive: ttl)
    }

    @Test func oneOwnerAtATimeAndRenewalKeepsIt() async throws {
        try await withRedis { _, client async throws in
            let first = lease("a", client, ttl: .seconds(30))
            let second = lease("b", client, ttl: .seconds(30))
            #expect(await first.acquireOrRenew())
            #expect(!(await second.acquireOrRenew()))
            #expect(first.isHeld && !second.isHeld)
            for _ in 0..<4 {
                // The lease about to run out in Redis: a renewal, not the passing of wall-clock time, must extend it.
                _ = try await client.send(["PEXPIRE", "herald:send:leader", "1000"])
                #expect(await first.acquireOrRenew())
                #expect(try await client.send(["PTTL", "herald:send:leader"]).int ?? 0 > 1000)
                #expect(!(await second.acquireOrRenew()))
            }
            #expect(try await first.currentOwner() == "a")
        }
    }

    @Test func anOwnerThatStopsRenewingLosesTheLeaseBeforeAnotherCanTakeIt() async throws {
        try await withRedis { _, client async throws in
            let first = lease("a", client)
            let second = lease("b", client)
            #expect(await first.acquireOrRenew())
            var taken = false
            let deadline = ContinuousClock.now + .seconds(10)
            while !taken, ContinuousClock.now < deadline {
                taken = await second.acquireOrRenew()
                if taken {
                    #expect(!first.isHeld, "two owners at once")
                } else {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            #expect(taken, "the lease should run out without renewal")
            #expect(!(await first.acquireOrRenew()))
            #expect(try await first.currentOwner() == "b")
        }
    }

    @Test func releaseHandsTheLeaseOverAtOnceButOnlyByItsOwner() async throws {
        try await withRedis { _, client async throws in
            let first = lease("a", client, ttl: .seconds(30))
            let second = lease("b", client, ttl: .seconds(30))
            #expect(await first.acquireOrRenew())
            await second.release()
            #expect(try await first.currentOwner() == "a")
            await first.release()
            #expect(!first.isHeld)
            #expect(await second.acquireOrRenew())
        }
    }

    @Test func unreachableRedisKeepsTheLeaseOnlyUntilItRunsOut() async throws {
        try await withRedis { server, client async throws in
            // Longer than the client's 2 s command timeout, so the first failed renewal returns within the lease.
            let ttl = Duration.seconds(5)
            let first = lease("a", client, ttl: ttl)
            let acquired = ContinuousClock.now
            #expect(await first.acquireOrRenew())
            server.kill()
            #expect(await first.acquireOrRenew())
            let gone = await eventually(timeout: .seconds(15)) { !(await first.acquireOrRenew()) }
            #expect(gone, "an unrenewable lease should run out")
            #expect(ContinuousClock.now - acquired >= ttl, "the lease was dropped before it ran out")
            #expect(!first.isHeld)
        }
    }
}
