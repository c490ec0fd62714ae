import NIOCore

/// The acks one socket waits for, each with its deadline, expired by one timer per socket rather than one per emit.
///
/// A timer per emit costs a scheduled task on the event loop for every message that asks for an ack, and cancelling
/// it when the ack arrives searches the loop's whole timer heap: with thousands of sockets each waiting for acks, that
/// search grew with every message in flight on the loop. Here an ack's arrival is a dictionary removal; the socket's
/// one sweep runs at the earliest deadline and fails every ack past its own.
///
/// A value owned by the socket and used only on its event loop.
struct PendingAcks {
    private struct Entry {
        let handler: AckHandler
        let deadline: NIODeadline
    }

    private var entries: [Int: Entry] = [:]
    /// When the scheduled sweep runs; nil when none is scheduled.
    private(set) var sweepDeadline: NIODeadline?

    /// How many acks are awaited.
    var count: Int { entries.count }

    /// Waits for ack `id` until `deadline`. Returns the deadline a sweep must be scheduled for when no sweep would run
    /// by then (the caller schedules it and reports it with ``sweepScheduled(at:)``); nil otherwise.
    mutating func add(_ id: Int, deadline: NIODeadline, handler: @escaping AckHandler) -> NIODeadline? {
        entries[id] = Entry(handler: handler, deadline: deadline)
        if let sweepDeadline, sweepDeadline <= deadline { return nil }
        return deadline
    }

    /// Records that a sweep is scheduled for `deadline`.
    mutating func sweepScheduled(at deadline: NIODeadline) {
        sweepDeadline = deadline
    }

    /// The handler of ack `id`, no longer awaited; nil when it is not awaited (answered already, expired, or never
    /// asked for).
    mutating func complete(_ id: Int) -> AckHandler? {
        entries.removeValue(forKey: id)?.handler
    }

    /// The sweep scheduled for `now` ran: removes every ack whose deadline passed and returns their handlers, and the
    /// deadline of the next sweep to schedule when acks remain (already recorded as scheduled).
    mutating func sweep(now: NIODeadline) -> (expired: [AckHandler], next: NIODeadline?) {
        var expired: [AckHandler] = []
        var next: NIODeadline?
        for (id, entry) in entries {
            if entry.deadline <= now {
                expired.append(entry.handler)
                entries[id] = nil
            } else if next.map({ entry.deadline < $0 }) ?? true {
                next = entry.deadline
            }
        }
        sweepDeadline = next
        return (expired, next)
    }

    /// Removes every awaited ack and returns their handlers (the socket is leaving).
    mutating func removeAll() -> [AckHandler] {
        let handlers = entries.values.map(\.handler)
        entries.removeAll()
        sweepDeadline = nil
        return handlers
    }
}
