/// The recorded events of one room, oldest first, bounded in count and age.
struct RoomHistory {
    private var events: [RecordedEvent] = []
    private var recordedAt: [ContinuousClock.Instant] = []
    private var head = 0
    /// The highest offset removed from this room before its time; a client whose offset is below it may have missed
    /// an event that is gone.
    private(set) var lostThrough: RecoveryOffset?

    var isEmpty: Bool { head == events.count }

    mutating func append(_ event: RecordedEvent, at now: ContinuousClock.Instant, limit: Int) {
        events.append(event)
        recordedAt.append(now)
        while events.count - head > limit {
            lostThrough = events[head].offset
            head += 1
        }
        compactIfNeeded()
    }

    /// Drops events recorded before `cutoff`.
    mutating func expire(before cutoff: ContinuousClock.Instant) {
        while head < events.count, recordedAt[head] < cutoff {
            lostThrough = events[head].offset
            head += 1
        }
        compactIfNeeded()
    }

    /// Whether every event of this room after `offset` is still here.
    func isComplete(after offset: RecoveryOffset) -> Bool {
        guard let lostThrough else { return true }
        return lostThrough <= offset
    }

    /// The events after `offset`, oldest first.
    func events(after offset: RecoveryOffset) -> ArraySlice<RecordedEvent> {
        var low = head
        var high = events.count
        while low < high {
            let middle = (low + high) / 2
            if events[middle].offset <= offset { low = middle + 1 } else { high = middle }
        }
        return events[low...]
    }

    private mutating func compactIfNeeded() {
        guard head > 64, head * 2 > events.count else { return }
        events.removeFirst(head)
        recordedAt.removeFirst(head)
        head = 0
    }
}
