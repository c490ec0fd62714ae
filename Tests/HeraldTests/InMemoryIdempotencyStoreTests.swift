import Herald
import MessageStoreContract
import Testing

@Suite struct InMemoryIdempotencyStoreTests {
    @Test(arguments: IdempotencyStoreContract.allCases)
    func contract(_ rule: IdempotencyStoreContract) async throws {
        let clock = ManualWallClock()
        try await rule.check(
            makeStore: {
                InMemoryIdempotencyStore(
                    retention: IdempotencyStoreContract.retention,
                    inFlightTimeout: IdempotencyStoreContract.inFlightTimeout,
                    clock: clock
                )
            },
            elapse: { duration in
                let (seconds, attoseconds) = duration.components
                clock.advance(seconds: Double(seconds) + Double(attoseconds) / 1e18)
            }
        )
    }

    @Test func holdsAtMostMaxEntriesDroppingTheOldestFirst() async throws {
        let store = InMemoryIdempotencyStore(maxEntries: 3, clock: ManualWallClock())
        let ok = IdempotentResponse(status: 200, contentType: "text/plain", body: "OK")
        for number in 0..<5 {
            let key = try #require(IdempotencyKey(site: "shop", header: "key-\(number)"))
            guard case .started(let ticket) = try await store.begin(key) else { Issue.record("key-\(number) not new"); return }
            await store.complete(ticket, with: ok)
        }
        #expect(store.count == 3)
        let oldest = try #require(IdempotencyKey(site: "shop", header: "key-0"))
        let newest = try #require(IdempotencyKey(site: "shop", header: "key-4"))
        #expect(try await store.begin(newest) == .completed(ok))
        guard case .started = try await store.begin(oldest) else {
            Issue.record("the oldest key should have been dropped")
            return
        }
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "caf\u{E9}", "line\nbreak"])
    func malformedKeysAreRefused(header: String) {
        #expect(IdempotencyKey(site: "shop", header: header) == nil)
    }

    @Test func keysUpTo255PrintableCharactersAreAccepted() {
        #expect(IdempotencyKey(site: "shop", header: String(repeating: "k", count: 255))?.value.count == 255)
        #expect(IdempotencyKey(site: "shop", header: "9f1c2d3e-4b5a-6789-abcd-ef0123456789") != nil)
    }

    @Test func onlyAnswersOfRequestsThatRanAreRemembered() {
        #expect(IdempotentResponse.isRemembered(status: 200))
        #expect(!IdempotentResponse.isRemembered(status: 400))
        #expect(!IdempotentResponse.isRemembered(status: 413))
        #expect(!IdempotentResponse.isRemembered(status: 429))
        #expect(!IdempotentResponse.isRemembered(status: 503))
    }

    @Test func responseRoundTripsThroughItsEncoding() {
        let response = IdempotentResponse(status: 200, contentType: "application/json", body: #"[{"status":200}]"#)
        #expect(IdempotentResponse(encoded: response.encoded) == response)
        #expect(IdempotentResponse(encoded: "p:abc") == nil)
    }
}
