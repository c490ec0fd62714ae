import Testing

@testable import Herald

@Suite struct SiteLimitsTests {
    private static func site(_ name: String, limits: SiteLimits = SiteLimits(), apiKey: String = "key") -> Site {
        Site(name: name, authentication: .tokens([:]), apiKey: apiKey, limits: limits)
    }

    @Test func eachSiteHasItsOwnSendBucketAndASiteWithoutTheLimitIsNeverHeldBack() {
        let time = ManualTime()
        let limiter = SiteSendLimiter(now: time.source)
        let limited = Self.site("limited", limits: SiteLimits(maxSendsPerSecond: 3))
        let other = Self.site("other", limits: SiteLimits(maxSendsPerSecond: 3))
        let free = Self.site("free")
        #expect(limiter.consume(3, for: limited) == .granted)
        #expect(limiter.consume(1, for: limited) == .refused(retryAfterSeconds: 1))
        #expect(limiter.consume(3, for: other) == .granted)
        #expect((0..<100).allSatisfy { _ in limiter.consume(1, for: free) == .granted })
        time.advance(by: .seconds(1))
        #expect(limiter.consume(3, for: limited) == .granted)
    }

    @Test func aReloadedRateTakesEffectAtOnce() {
        let time = ManualTime()
        let limiter = SiteSendLimiter(now: time.source)
        #expect(limiter.consume(2, for: Self.site("s", limits: SiteLimits(maxSendsPerSecond: 2))) == .granted)
        #expect(limiter.consume(1, for: Self.site("s", limits: SiteLimits(maxSendsPerSecond: 2))) != .granted)
        #expect(limiter.consume(10, for: Self.site("s", limits: SiteLimits(maxSendsPerSecond: 10))) == .granted)
    }

    @Test func connectionRateRefusesHandshakesBeyondTheBurstUntilTokensReturn() {
        let time = ManualTime()
        let limiter = ConnectionRateLimiter(perSecond: 2, burst: 4, now: time.source)
        #expect((0..<4).map { _ in limiter.admitHandshake() } == Array(repeating: .admit, count: 4))
        #expect(limiter.admitHandshake() == .refuse(retryAfterSeconds: 1))
        time.advance(by: .milliseconds(500))
        #expect(limiter.admitHandshake() == .admit)
        #expect(limiter.admitHandshake() == .refuse(retryAfterSeconds: 1))
    }

    @Test func connectionsAreCountedPerSiteUpToTheirLimitAndReleased() {
        let counter = SiteConnectionCounter()
        let capped = Self.site("capped", limits: SiteLimits(maxConnections: 2))
        let free = Self.site("free")
        #expect(counter.reserve(for: capped))
        #expect(counter.reserve(for: capped))
        #expect(!counter.reserve(for: capped))
        #expect((0..<50).allSatisfy { _ in counter.reserve(for: free) })
        counter.release(siteName: "capped")
        #expect(counter.count(siteName: "capped") == 1)
        #expect(counter.reserve(for: capped))
        #expect(counter.count(siteName: "free") == 50)
    }

    @Test func roomsBeyondTheLimitAreDroppedInTheOrderGranted() {
        let limits = SiteLimits(maxRoomsPerClient: 2)
        #expect(limits.splitRooms(["a", "b", "c", "d"]) == (["a", "b"], ["c", "d"]))
        #expect(limits.splitRooms(["a"]) == (["a"], []))
        #expect(SiteLimits().splitRooms(["a", "b", "c"]) == (["a", "b", "c"], []))
    }

    @Test func aRegistryReplacementReportsAddedRemovedAndChangedSites() {
        let registry = SiteRegistry(["kept": Self.site("kept"), "gone": Self.site("gone"), "edited": Self.site("edited")])
        let changes = registry.replace(with: [
            "kept": Self.site("kept"),
            "edited": Self.site("edited", limits: SiteLimits(maxConnections: 5)),
            "new": Self.site("new"),
        ])
        #expect(changes.added == ["new"])
        #expect(changes.removed == ["gone"])
        #expect(changes.changed == ["edited"])
        #expect(registry.site(named: "gone") == nil)
        #expect(registry.site(named: "edited")?.limits.maxConnections == 5)
        #expect(registry.replace(with: ["kept": Self.site("kept", apiKey: "rotated")]).changed == ["kept"])
        #expect(SiteChanges(from: ["a": Self.site("a")], to: ["a": Self.site("a")]).isEmpty)
    }
}
