import Herald
import NIOConcurrencyHelpers
import Testing

@testable import HeraldRedis

@Suite(.timeLimit(.minutes(1)))
struct RedisAckCoalescerTests {
    /// A recorder whose first call waits until the test opens it, so later acks pile up behind it.
    private final class GatedRecorder: Sendable {
        let calls = NIOLockedValueBox<[(site: String, ids: [FlakeID])]>([])
        private let gate: AsyncStream<Void>
        private let opener: AsyncStream<Void>.Continuation
        let firstCallStarted: AsyncStream<Void>
        private let firstCallSignal: AsyncStream<Void>.Continuation
        let failure: StoreError?

        init(failure: StoreError? = nil) {
            (gate, opener) = AsyncStream.makeStream()
            (firstCallStarted, firstCallSignal) = AsyncStream.makeStream()
            self.failure = failure
        }

        func open() { opener.yield() }

        func record(site: String, acks: [RedisAckCoalescer.Ack]) async -> Result<[AckOutcome], StoreError> {
            let isFirst = calls.withLockedValue { calls in
                calls.append((site, acks.map(\.id)))
                return calls.count == 1
            }
            if isFirst {
                firstCallSignal.yield()
                for await _ in gate { break }
            }
            if let failure { return .failure(failure) }
            return .success(acks.map { $0.resync ? .resync(event: "e\($0.id.rawValue)") : .removed })
        }
    }

    private func ack(_ id: UInt64, site: String = "s", resync: Bool = false) -> RedisAckCoalescer.Ack {
        RedisAckCoalescer.Ack(
            device: DeviceKey(site: site, userRoom: "user_\(id)", deviceID: "d"),
            id: FlakeID(rawValue: id),
            resync: resync
        )
    }

    @Test func acksArrivingDuringACallGoOutTogetherInTheNextOne() async throws {
        let recorder = GatedRecorder()
        let coalescer = RedisAckCoalescer { site, acks in await recorder.record(site: site, acks: acks) }
        async let first = coalescer.acknowledge(ack(1))
        for await _ in recorder.firstCallStarted { break }
        let later = Task {
            await withTaskGroup(of: (UInt64, Result<AckOutcome, StoreError>).self) { group in
                for id: UInt64 in 2...5 { group.addTask { (id, await coalescer.acknowledge(ack(id, resync: id == 5))) } }
                var outcomes: [UInt64: Result<AckOutcome, StoreError>] = [:]
                for await (id, outcome) in group { outcomes[id] = outcome }
                return outcomes
            }
        }
        while coalescer.waitingCount < 4 { await Task.yield() }
        recorder.open()
        #expect(try await first.get() == .removed)
        let outcomes = await later.value
        #expect(try outcomes[2]?.get() == .removed && outcomes[5]?.get() == .resync(event: "e5"))
        let calls = recorder.calls.withLockedValue { $0 }
        #expect(calls.count == 2, "one call for the first ack, one for the four that waited")
        #expect(Set(calls.last?.ids ?? []) == Set((2...5).map { FlakeID(rawValue: $0) }))
    }

    @Test func aFailedCallFailsEveryAckItCarriedAndNothingElse() async throws {
        let recorder = GatedRecorder(failure: StoreError("redis down"))
        let coalescer = RedisAckCoalescer { site, acks in await recorder.record(site: site, acks: acks) }
        async let first = coalescer.acknowledge(ack(1))
        for await _ in recorder.firstCallStarted { break }
        async let second = coalescer.acknowledge(ack(2, site: "other"))
        while coalescer.waitingCount < 1 { await Task.yield() }
        recorder.open()
        #expect(await first == .failure(StoreError("redis down")))
        #expect(await second == .failure(StoreError("redis down")))
        #expect(recorder.calls.withLockedValue { $0.map(\.site) } == ["s", "other"], "each site's acks in a call of their own")
    }
}
