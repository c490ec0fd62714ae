import Testing

@testable import HeraldRedis

@Suite(.timeLimit(.minutes(1)))
struct RedisLeaderLeaseTests {
    private func lease(_ owner: String, _ client: RedisClient, ttl: Duration = .milliseconds(600)) -> RedisLeaderLease {
        RedisLeaderLease(client: client, key: "herald:send:leader", owner: owner, timeToLive: ttl)
    }

    @Test func oneOwnerAtATimeAndRenewalKeepsIt() async throws {
        try await withRedis { _, client async throws in
            let first = lease("a", client)
            let second = lease("b", client)
            #expect(await first.acquireOrRenew())
            #expect(!(await second.acquireOrRenew()))
            #expect(first.isHeld && !second.isHeld)
            for _ in 0..<4 {
                try await Task.sleep(for: .milliseconds(300))
                #expect(await first.acquireOrRenew())
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
            while !taken {
                taken = await second.acquireOrRenew()
                if taken {
                    #expect(!first.isHeld, "two owners at once")
                } else {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
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
            let first = lease("a", client, ttl: .milliseconds(500))
            #expect(await first.acquireOrRenew())
            server.kill()
            #expect(await first.acquireOrRenew())
            try await Task.sleep(for: .milliseconds(600))
            #expect(!(await first.acquireOrRenew()))
            #expect(!first.isHeld)
        }
    }
}
