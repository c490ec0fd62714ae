import Herald
import Logging
import Testing

@testable import HeraldRedis

/// The cluster-wide site limits against a real redis-server: several "instances" (limit objects with their own IDs)
/// on one Redis.
@Suite(.timeLimit(.minutes(1)))
struct RedisSiteLimitsTests {
    private static func site(maxConnections: Int? = nil, maxSendsPerSecond: Int? = nil) -> Site {
        Site(
            name: "shop",
            authentication: .tokens([:]),
            apiKey: "key",
            limits: SiteLimits(maxConnections: maxConnections, maxSendsPerSecond: maxSendsPerSecond)
        )
    }

    private static func limits(_ instance: String, _ client: RedisClient, timeout: Duration = .seconds(30)) -> RedisSiteLimits {
        RedisSiteLimits(
            client: client,
            instanceID: instance,
            instanceTimeout: timeout,
            interval: .seconds(1),
            logger: Logger(label: "test")
        )
    }

    @Test func connectionsAcrossInstancesStopAtTheLimitAndADisconnectFreesASlotAnywhere() async throws {
        try await withRedis { _, client in
            let site = Self.site(maxConnections: 4)
            let instances = ["a", "b", "c"].map { Self.limits($0, client).connections }
            var admitted: [Int] = []
            for index in [0, 1, 2, 0] {
                #expect(await instances[index].reserve(for: site) == .admitted)
                admitted.append(index)
            }
            for instance in instances {
                #expect(await instance.reserve(for: site) == .refused, "a 5th connection anywhere is refused")
            }
            instances[1].release(siteName: site.name)
            let returned = try await waitFor { try await Self.leased(client) == 3 }
            #expect(returned, "the freed slot goes back to Redis")
            #expect(await instances[2].reserve(for: site) == .admitted)
            #expect(await instances[0].reserve(for: site) == .refused)
        }
    }

    @Test func manyConnectsWaitingAtOnceShareOneLeaseCall() async throws {
        try await withRedis { _, client in
            // Under 20 × instances, so each lease call on its own would take a single slot.
            let site = Self.site(maxConnections: 19)
            let leases = Self.limits("a", client).connections
            let calls = try await Self.scriptCalls(client)
            let outcomes = await withTaskGroup(of: ClusterAdmission.self) { group in
                for _ in 0..<19 {
                    group.addTask { await leases.reserve(for: site) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0 == .admitted })
            #expect(try await Self.scriptCalls(client) - calls < 10, "19 connects waiting together should share lease calls")
            #expect(leases.counts(siteName: site.name).used == 19)
            #expect(await leases.reserve(for: site) == .refused)
        }
    }

    @Test func aReapedInstanceReleasesItsLeaseAndAnUnrenewedOneExpires() async throws {
        try await withRedis { _, client in
            let site = Self.site(maxConnections: 2)
            let dead = Self.limits("dead", client)
            let quiet = Self.limits("quiet", client, timeout: .milliseconds(300))
            let alive = Self.limits("alive", client)
            #expect(await dead.connections.reserve(for: site) == .admitted)
            #expect(await quiet.connections.reserve(for: site) == .admitted)
            await alive.reap(instance: "dead")
            #expect(await alive.connections.reserve(for: site) == .admitted, "the reaped instance's slot is free")
            let expired = try await waitFor { await alive.connections.reserve(for: site) == .admitted }
            #expect(expired, "a lease nobody renews expires")
        }
    }

    @Test func renewalKeepsALeaseAndRetireGivesItBack() async throws {
        try await withRedis { _, client in
            let site = Self.site(maxConnections: 1)
            let holder = Self.limits("holder", client, timeout: .seconds(1))
            let other = Self.limits("other", client)
            #expect(await holder.connections.reserve(for: site) == .admitted)
            // Twice the lease's lifetime, renewed every quarter of it: a busy machine may stretch one pause, not four.
            for _ in 0..<8 {
                await holder.connections.renew()
                #expect(await other.connections.reserve(for: site) == .refused)
                try await Task.sleep(for: .milliseconds(250))
            }
            await holder.retire()
            #expect(await other.connections.reserve(for: site) == .admitted)
        }
    }

    @Test func aRenewalRacingALeaseCallLeavesRedisWithWhatThisInstanceHolds() async throws {
        try await withRedis { _, client in
            let site = Self.site(maxConnections: 1000)
            let size = LeaseSize()
            size.update(instances: 100)  // one slot per lease call, so every connect below makes one
            let leases = RedisConnectionLeases(
                client: client,
                instanceID: "a",
                keyPrefix: "herald",
                leaseLifetime: .seconds(30),
                size: size,
                logger: Logger(label: "test")
            )
            var stale: [Int] = []
            for round in 0..<1000 {
                async let renewal: Void = leases.renew()
                async let admission = leases.reserve(for: site)
                _ = await (renewal, admission)
                if try await Self.lease(of: "a", client) != leases.counts(siteName: site.name).leased {
                    stale.append(round)
                }
            }
            #expect(stale.isEmpty, "Redis's record of the lease differed from what the instance holds after rounds \(stale)")
        }
    }

    @Test func withRedisDownConnectionsFallBackToThisInstance() async throws {
        try await withRedis { server, client in
            let site = Self.site(maxConnections: 1)
            let leases = Self.limits("a", client).connections
            server.kill()
            #expect(await leases.reserve(for: site) == .admitted)
        }
    }

    @Test func sendsAcrossInstancesShareOneBucketWithinTheLease() async throws {
        try await withRedis { _, client in
            let site = Self.site(maxSendsPerSecond: 100)
            let instances = ["a", "b", "c"].map { Self.limits($0, client).sends }
            var granted = 0
            let clock = ContinuousClock()
            let started = clock.now
            for round in 0..<300 {
                if case .granted = await instances[round % 3].consume(1, for: site) {
                    granted += 1
                }
            }
            // Every granted send spent a token taken from the one shared bucket, which held 100 and refilled at
            // 100/s while the loop ran: three buckets would have granted three times that. The bound follows the
            // loop's own duration (one token of slack for rounding), so a slow machine cannot fail it.
            let elapsed = clock.now - started
            let refilled = Int((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * 100)
            #expect(granted >= 100)
            #expect(granted <= 100 + refilled + 1, "\(granted) sends granted in \(elapsed)")
            let refused = await instances[0].consume(1, for: site)
            if case .refused(let seconds) = refused {
                #expect(seconds >= 1)
            }
        }
    }

    @Test func aBatchLargerThanTheBucketGoesWhenItIsFullAndLeavesItInDebt() async throws {
        try await withRedis { _, client in
            let site = Self.site(maxSendsPerSecond: 10)
            let sends = Self.limits("a", client).sends
            #expect(await sends.consume(25, for: site) == .granted)
            guard case .refused(let seconds) = await sends.consume(1, for: site) else {
                Issue.record("the debt should hold the next send back")
                return
            }
            #expect(seconds >= 1)
        }
    }

    @Test func everyKeyCarriesTheSiteHashTag() {
        #expect(RedisLimitScripts.connectionLeasesKey(prefix: "herald", site: "shop") == "herald:{shop}:connlease")
        #expect(RedisLimitScripts.sendBucketKey(prefix: "herald", site: "shop") == "herald:{shop}:sendrate")
    }

    private static func leased(_ client: RedisClient) async throws -> Int {
        let fields = try await client.send(["HVALS", "herald:{shop}:connlease"]).array ?? []
        return fields.compactMap { $0.string?.split(separator: ":").first.flatMap { Int($0) } }.reduce(0, +)
    }

    private static func lease(of instance: String, _ client: RedisClient) async throws -> Int {
        let field = try await client.send(["HGET", "herald:{shop}:connlease", instance]).string ?? "0"
        return field.split(separator: ":").first.flatMap { Int($0) } ?? 0
    }

    private static func scriptCalls(_ client: RedisClient) async throws -> Int {
        let info = try await client.send(["INFO", "commandstats"]).string ?? ""
        return info.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("cmdstat_eval") }.compactMap { line in
            line.split(separator: ":").last?.split(separator: ",").first?.split(separator: "=").last.flatMap { Int($0) }
        }.reduce(0, +)
    }

    private func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
