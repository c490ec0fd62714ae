import NIOConcurrencyHelpers

/// The delivery tally shared by the clients of one event loop. Its lock is only contended when the orchestrator
/// polls for progress, so recording stays cheap.
final class LoopRecorder: Sendable {
    private let tally = NIOLockedValueBox(DeliveryTally())

    /// Accounts one bench event or `_batch` received by client `client`.
    func record(client: Int, stamps: [Stamp], batch: Bool, reconnected: Bool, nowMicros: UInt64) {
        tally.withLockedValue {
            $0.record(client: client, stamps: stamps, batch: batch, reconnected: reconnected, nowMicros: nowMicros)
        }
    }

    /// Counts the wire size of WebSocket frames received.
    func recordWireBytes(_ count: Int) {
        tally.withLockedValue { $0.wireBytes += count }
    }

    /// Counts a joined client whose connection closed.
    func recordDrop() {
        tally.withLockedValue { $0.dropped += 1 }
    }

    /// Distinct receipts so far, for progress polling.
    var unique: Int { tally.withLockedValue { $0.unique } }

    /// A copy of everything recorded so far.
    var snapshot: DeliveryTally { tally.withLockedValue { $0 } }
}
