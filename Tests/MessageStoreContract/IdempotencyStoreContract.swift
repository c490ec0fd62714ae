public import Herald
public import Testing

/// The behaviour every ``IdempotencyStore`` must have, run by each implementation's tests with a retention of
/// ``retention`` and an in-flight timeout of ``inFlightTimeout``:
/// `@Test(arguments: IdempotencyStoreContract.allCases) func contract(_ rule: IdempotencyStoreContract) async throws {
/// try await rule.check(makeStore: …, elapse: …) }`.
public enum IdempotencyStoreContract: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case firstRequestStartsAndAConcurrentOneIsInFlight
    case completedAnswerIsReplayedUntilTheRetentionEnds
    case releasedKeyRunsAgain
    case abandonedClaimFreesTheKeyAfterTheInFlightTimeout
    case lostClaimCannotOverwriteItsSuccessor
    case keysArePerSite
    case concurrentBeginsStartExactlyOne

    public var testDescription: String { rawValue }

    /// Retention the factory must give the store. Long, so that only `elapse` moves a store past it, never a slow
    /// test machine: stores on real time (Redis expiry) make `elapse` shorten their expiries instead of sleeping.
    public static let retention: Duration = .seconds(600)
    /// In-flight timeout the factory must give the store (long for the same reason as ``retention``).
    public static let inFlightTimeout: Duration = .seconds(300)

    /// Makes a fresh, empty store with ``retention`` and ``inFlightTimeout`` whose time passes with `elapse`.
    public typealias Factory = @Sendable () async throws -> any IdempotencyStore

    /// Runs this rule; `elapse` lets the store's time pass (moving a manual clock, or shortening expiries).
    public func check(makeStore: Factory, elapse: @Sendable (Duration) async throws -> Void) async throws {
        let store = try await makeStore()
        let key = try #require(IdempotencyKey(site: "shop", header: "order-42"))
        let ok = IdempotentResponse(status: 200, contentType: "text/plain; charset=utf-8", body: "OK")
        switch self {
        case .firstRequestStartsAndAConcurrentOneIsInFlight:
            guard case .started = try await store.begin(key) else { throw Failure("first begin did not start") }
            #expect(try await store.begin(key) == .inFlight)
        case .completedAnswerIsReplayedUntilTheRetentionEnds:
            let ticket = try await started(store, key)
            await store.complete(ticket, with: ok)
            #expect(try await store.begin(key) == .completed(ok))
            try await elapse(Self.retention / 2)
            #expect(try await store.begin(key) == .completed(ok))
            try await elapse(Self.retention)
            guard case .started = try await store.begin(key) else { throw Failure("expired answer still replayed") }
        case .releasedKeyRunsAgain:
            let ticket = try await started(store, key)
            await store.release(ticket)
            guard case .started = try await store.begin(key) else { throw Failure("released key did not start") }
        case .abandonedClaimFreesTheKeyAfterTheInFlightTimeout:
            _ = try await started(store, key)
            try await elapse(Self.inFlightTimeout * 2)
            guard case .started = try await store.begin(key) else { throw Failure("abandoned claim never expired") }
        case .lostClaimCannotOverwriteItsSuccessor:
            let lost = try await started(store, key)
            try await elapse(Self.inFlightTimeout * 2)
            let successor = try await started(store, key)
            await store.complete(lost, with: IdempotentResponse(status: 400, contentType: "text/plain", body: "stale"))
            await store.release(lost)
            #expect(try await store.begin(key) == .inFlight)
            await store.complete(successor, with: ok)
            #expect(try await store.begin(key) == .completed(ok))
        case .keysArePerSite:
            let ticket = try await started(store, key)
            await store.complete(ticket, with: ok)
            let other = try #require(IdempotencyKey(site: "blog", header: "order-42"))
            guard case .started = try await store.begin(other) else { throw Failure("key of another site replayed") }
        case .concurrentBeginsStartExactlyOne:
            let claims = try await withThrowingTaskGroup(of: IdempotencyClaim.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await store.begin(key) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.filter { if case .started = $0 { true } else { false } }.count == 1)
            #expect(claims.filter { $0 == .inFlight }.count == 19)
        }
    }

    private func started(_ store: any IdempotencyStore, _ key: IdempotencyKey) async throws -> IdempotencyTicket {
        guard case .started(let ticket) = try await store.begin(key) else { throw Failure("begin did not start") }
        return ticket
    }

    private struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
