import Herald
import NIOConcurrencyHelpers

/// Records the acks of all devices on this instance with as few Redis calls as the load allows.
///
/// An ack that finds no call in flight goes out at once, alone; acks arriving while a call is in flight wait and go
/// out together in the next one, one script call per site (``RedisStoreScripts/acknowledgeMany``). So a quiet
/// instance pays one round trip per ack as before, and a busy one pays one per batch instead of one per ack: the
/// batch grows with the load by itself, without a timer holding acks back.
///
/// Each device's acks stay in the order its client sent them: a ``DeviceSession`` records an ack only after its
/// previous one, and a script records a batch's acks in order.
final class RedisAckCoalescer: Sendable {
    /// One device's ack of one message.
    struct Ack: Sendable {
        let device: DeviceKey
        let id: FlakeID
        let resync: Bool
    }

    /// Records `acks`, all of one site, in one call: their outcomes in the same order, or why none was recorded.
    typealias Recorder = @Sendable (_ site: String, _ acks: [Ack]) async -> Result<[AckOutcome], StoreError>

    /// The most acks one script call carries, so one call never holds Redis for long.
    static let largestBatch = 256

    private struct Waiting {
        let ack: Ack
        let answer: CheckedContinuation<Result<AckOutcome, StoreError>, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var flushing = false
    }

    private let state = NIOLockedValueBox(State())
    private let record: Recorder

    /// Creates a coalescer that records batches with `record`.
    init(record: @escaping Recorder) {
        self.record = record
    }

    /// How many acks wait for the next call.
    var waitingCount: Int {
        state.withLockedValue { $0.waiting.count }
    }

    /// Records `ack` alone or with the acks waiting beside it; returns its outcome.
    func acknowledge(_ ack: Ack) async -> Result<AckOutcome, StoreError> {
        await withCheckedContinuation { answer in
            let leads = state.withLockedValue { state in
                state.waiting.append(Waiting(ack: ack, answer: answer))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if leads {
                Task { await self.flush() }
            }
        }
    }

    /// Records waiting acks batch after batch until none waits.
    private func flush() async {
        while let batch = nextBatch() {
            await withTaskGroup(of: Void.self) { group in
                for (site, waiting) in Dictionary(grouping: batch, by: \.ack.device.site) {
                    group.addTask { await self.record(site: site, waiting) }
                }
            }
        }
    }

    private func nextBatch() -> [Waiting]? {
        state.withLockedValue { state in
            guard !state.waiting.isEmpty else {
                state.flushing = false
                return nil
            }
            let batch = Array(state.waiting.prefix(Self.largestBatch))
            state.waiting.removeFirst(batch.count)
            return batch
        }
    }

    private func record(site: String, _ waiting: [Waiting]) async {
        switch await record(site, waiting.map(\.ack)) {
        case .success(let outcomes) where outcomes.count == waiting.count:
            for (item, outcome) in zip(waiting, outcomes) { item.answer.resume(returning: .success(outcome)) }
        case .success(let outcomes):
            let error = StoreError("\(outcomes.count) answers to \(waiting.count) acks")
            for item in waiting { item.answer.resume(returning: .failure(error)) }
        case .failure(let error):
            for item in waiting { item.answer.resume(returning: .failure(error)) }
        }
    }
}
