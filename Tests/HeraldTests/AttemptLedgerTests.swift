import Testing

@testable import Herald

@Suite struct AttemptLedgerTests {
    @Test func aKeyGetsItsBurstThenOneAttemptPerSpacing() {
        var ledger = AttemptLedger<String>(maxKeys: 100, now: .zero)
        for _ in 0..<3 {
            #expect(ledger.attempt("a", perMinute: 3, now: .zero) == true)
        }
        #expect(ledger.attempt("a", perMinute: 3, now: .zero) == false)
        #expect(ledger.attempt("a", perMinute: 3, now: .seconds(19)) == false)
        #expect(ledger.attempt("a", perMinute: 3, now: .seconds(20)) == true)
        #expect(ledger.attempt("a", perMinute: 3, now: .seconds(20)) == false)
        #expect(ledger.attempt("b", perMinute: 3, now: .seconds(20)) == true)
    }

    @Test func refusedAttemptsCostNothing() {
        var ledger = AttemptLedger<String>(maxKeys: 100, now: .zero)
        #expect(ledger.attempt("a", perMinute: 1, now: .zero) == true)
        for second in 1..<60 {
            #expect(ledger.attempt("a", perMinute: 1, now: .seconds(second)) == false)
        }
        #expect(ledger.attempt("a", perMinute: 1, now: .seconds(60)) == true)
    }

    @Test func manyAddressesNeverHoldMoreThanTheBound() {
        var ledger = AttemptLedger<Int>(maxKeys: 1_000, now: .zero)
        for key in 0..<50_000 {
            #expect(ledger.attempt(key, perMinute: 5, now: .milliseconds(key)) == true)
            #expect(ledger.count <= 1_000)
        }
    }

    @Test func idleKeysAreForgottenAfterAMinuteOrTwo() {
        var ledger = AttemptLedger<Int>(maxKeys: 1_000, now: .zero)
        for key in 0..<100 {
            _ = ledger.attempt(key, perMinute: 5, now: .zero)
        }
        #expect(ledger.count == 100)
        _ = ledger.attempt(-1, perMinute: 5, now: .seconds(60))
        _ = ledger.attempt(-1, perMinute: 5, now: .seconds(120))
        #expect(ledger.count == 1)
    }

    @Test func aBusyKeyKeepsItsCountAcrossGenerations() {
        var ledger = AttemptLedger<Int>(maxKeys: 1_000, now: .zero)
        for _ in 0..<2 {
            #expect(ledger.attempt(7, perMinute: 2, now: .zero) == true)
        }
        #expect(ledger.attempt(7, perMinute: 2, now: .seconds(29)) == false)
        for key in 0..<600 {
            _ = ledger.attempt(1_000 + key, perMinute: 2, now: .seconds(29))
        }
        #expect(ledger.count <= 1_000)
        #expect(ledger.attempt(7, perMinute: 2, now: .seconds(29)) == false)
        #expect(ledger.attempt(7, perMinute: 2, now: .seconds(30)) == true)
    }

    @Test func theLimiterCountsPerSiteAndAddressOnItsClock() {
        let limiter = AuthAttemptLimiter(maxTrackedAddresses: 16, now: { .zero })
        let one = IPAddress("192.0.2.1")
        #expect(limiter.admit(address: one, site: "demo", perMinute: 2))
        #expect(limiter.admit(address: IPAddress("::ffff:192.0.2.1"), site: "demo", perMinute: 2))
        #expect(!limiter.admit(address: one, site: "demo", perMinute: 2))
        #expect(limiter.admit(address: one, site: "other", perMinute: 2))
        #expect(limiter.admit(address: IPAddress("192.0.2.2"), site: "demo", perMinute: 2))
        for index in 0..<100 {
            _ = limiter.admit(address: .v4(UInt32(index)), site: "demo", perMinute: 2)
        }
        #expect(limiter.trackedCount <= 16)
    }
}
