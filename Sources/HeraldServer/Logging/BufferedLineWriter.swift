import Foundation
import NIOConcurrencyHelpers

/// Lines queued in memory and written by one background thread, so that logging never waits for the reader of the
/// output: a log shipper that stalls, or a terminal scrolled back, must not stall the event loops that log.
///
/// The queue is bounded in bytes. A line that does not fit is dropped and counted; once the writer has written what
/// was queued before the drops, it writes a notice with their number (made by `notice`), so the gap is visible in
/// the log itself. ``droppedLines`` counts every drop since the start, for `/metrics`.
///
/// Sendable by hand: `queue` is only touched with `condition` held.
final class BufferedLineWriter: @unchecked Sendable {
    /// What the writer thread is doing.
    private enum Activity: Equatable {
        /// Nothing queued and nothing being written: everything logged so far is out.
        case idle
        /// Lines are queued and the writer has not taken them yet.
        case pending
        /// The writer is writing a batch; more lines may be queued meanwhile.
        case writing
    }

    /// The state shared by the loggers and the writer thread, guarded by `condition`, whose value mirrors
    /// `activity` (`ConditionLock.value` takes the lock itself, so it cannot be read while holding it).
    private struct Queue {
        var activity = Activity.idle
        var bytes: [UInt8] = []
        var droppedSinceNotice = 0
        var droppedTotal = 0
        var stopping = false
        /// Until when a line that does not fit waits for room instead of being dropped (``keepLines(forAtMost:)``).
        var keepLinesUntil: ContinuousClock.Instant?
    }

    /// Most bytes queued at once.
    let capacity: Int
    private let condition = ConditionLock(value: Activity.idle)
    private var queue = Queue()
    private let sink: @Sendable (UnsafeRawBufferPointer) -> Void
    private let notice: @Sendable (Int) -> String

    /// Starts the writer thread.
    ///
    /// - Parameters:
    ///   - capacity: most bytes queued at once; lines beyond it are dropped.
    ///   - sink: writes bytes to the destination, blocking as long as it takes (called on the writer thread only).
    ///   - notice: the line written after lines were dropped, given their number.
    init(
        capacity: Int,
        sink: @escaping @Sendable (UnsafeRawBufferPointer) -> Void,
        notice: @escaping @Sendable (Int) -> String
    ) {
        self.capacity = capacity
        self.sink = sink
        self.notice = notice
        let thread = Thread { [self] in self.run() }
        thread.name = "herald-log-writer"
        thread.start()
    }

    /// Queues `line`, or drops and counts it when the queue is full; never waits for the writer, except while
    /// ``keepLines(forAtMost:)`` holds.
    func write(_ line: String) {
        condition.lock()
        waitForRoom(line.utf8.count)
        if queue.bytes.count + line.utf8.count <= capacity {
            queue.bytes.append(contentsOf: line.utf8)
            if queue.activity == .idle {
                queue.activity = .pending
            }
        } else {
            queue.droppedSinceNotice += 1
            queue.droppedTotal += 1
        }
        condition.unlock(withValue: queue.activity)
    }

    /// From now until `seconds` have passed, a line that does not fit waits for the writer to make room instead
    /// of being dropped. For a graceful shutdown: its lines ("drained", "Herald stopped") are the ones an operator
    /// reads first, the loops have no clients left to stall, and a reader that is gone delays the exit by at most
    /// `seconds` in all.
    func keepLines(forAtMost seconds: Double) {
        condition.lock()
        queue.keepLinesUntil = .now + .milliseconds(Int(seconds * 1000))
        condition.unlock(withValue: queue.activity)
    }

    /// With the lock held: while `size` more bytes do not fit and lines are kept, lets the writer take the queue
    /// (woken when it is done, or every 50 ms to see whether it took the queue), until the deadline.
    private func waitForRoom(_ size: Int) {
        while queue.bytes.count + size > capacity, !queue.bytes.isEmpty, let deadline = queue.keepLinesUntil {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                queue.keepLinesUntil = nil
                return
            }
            condition.unlock(withValue: queue.activity)
            let step = min(Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18, 0.05)
            if !condition.lock(whenValue: .idle, timeoutSeconds: step) {
                condition.lock()
            }
        }
    }

    /// Lines dropped because the queue was full, since the start.
    var droppedLines: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.droppedTotal
    }

    /// Waits until everything queued so far is written, for at most `timeoutSeconds`; false when the destination
    /// did not take it in time (the process exits anyway, it must not hang on a reader that is gone).
    @discardableResult
    func flush(timeoutSeconds: Double) -> Bool {
        guard condition.lock(whenValue: .idle, timeoutSeconds: timeoutSeconds) else {
            return false
        }
        condition.unlock()
        return true
    }

    /// Writes what is queued, then ends the writer thread; later lines are queued but never written.
    func stop() {
        condition.lock()
        queue.stopping = true
        if queue.activity == .idle {
            queue.activity = .pending
        }
        condition.unlock(withValue: queue.activity)
        flush(timeoutSeconds: 5)
    }

    private func run() {
        var stopping = false
        while !stopping {
            condition.lock(whenValue: .pending)
            let bytes = queue.bytes
            let dropped = queue.droppedSinceNotice
            stopping = queue.stopping
            queue.bytes = []
            queue.bytes.reserveCapacity(min(capacity, bytes.count))
            queue.droppedSinceNotice = 0
            queue.activity = .writing
            condition.unlock(withValue: .writing)

            bytes.withUnsafeBytes(sink)
            if dropped > 0 {
                Array(notice(dropped).utf8).withUnsafeBytes(sink)
            }

            condition.lock()
            let more = !stopping && (!queue.bytes.isEmpty || queue.droppedSinceNotice > 0 || queue.stopping)
            queue.activity = more ? .pending : .idle
            condition.unlock(withValue: queue.activity)
        }
    }
}
