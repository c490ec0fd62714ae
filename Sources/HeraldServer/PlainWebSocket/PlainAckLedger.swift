import Herald
import NIOCore

/// What a plain WebSocket client was sent and has not acknowledged yet: single messages and batches, each waiting
/// for the client's `{"type":"ack"}` of all its IDs, or for its timeout, or for the connection's end.
///
/// An ID may be awaited by several entries at once (a message sent to two user rooms of one client reaches it
/// through two device sessions): one ack of it counts for all of them. Confined to the connection's event loop.
final class PlainAckLedger {
    /// Runs once per entry: true when every ID of it was acknowledged, false at its timeout or the connection's end.
    typealias Completion = @Sendable (Bool) -> Void

    private struct Entry {
        var remaining: Set<FlakeID>
        let completion: Completion
        let timer: Scheduled<Void>?
    }

    private let eventLoop: any EventLoop
    private var entries: [Int: Entry] = [:]
    private var entriesByID: [FlakeID: [Int]] = [:]
    private var nextEntry = 0

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Entries still waiting.
    var count: Int { entries.count }

    /// Waits for the client to acknowledge every one of `ids` within `timeout`.
    func expect(_ ids: [FlakeID], timeout: TimeAmount, completion: @escaping Completion) {
        eventLoop.preconditionInEventLoop()
        let number = nextEntry
        nextEntry += 1
        let timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            finish(number, acknowledged: false)
        }
        entries[number] = Entry(remaining: Set(ids), completion: completion, timer: timer)
        for id in Set(ids) {
            entriesByID[id, default: []].append(number)
        }
    }

    /// The client acknowledged `ids`; entries whose IDs are now all acknowledged complete. IDs nothing waits for
    /// (already acknowledged, or from an earlier connection) are ignored.
    func acknowledge(_ ids: [FlakeID]) {
        eventLoop.preconditionInEventLoop()
        for id in ids {
            guard let numbers = entriesByID.removeValue(forKey: id) else { continue }
            for number in numbers {
                entries[number]?.remaining.remove(id)
                if entries[number]?.remaining.isEmpty == true {
                    finish(number, acknowledged: true)
                }
            }
        }
    }

    /// The connection ended: every waiting entry completes unacknowledged.
    func failAll() {
        eventLoop.preconditionInEventLoop()
        for number in entries.keys.sorted() {
            finish(number, acknowledged: false)
        }
    }

    private func finish(_ number: Int, acknowledged: Bool) {
        guard let entry = entries.removeValue(forKey: number) else { return }
        entry.timer?.cancel()
        for id in entry.remaining {
            entriesByID[id]?.removeAll { $0 == number }
            if entriesByID[id]?.isEmpty == true {
                entriesByID[id] = nil
            }
        }
        entry.completion(acknowledged)
    }
}

@available(*, unavailable)
extension PlainAckLedger: Sendable {}
