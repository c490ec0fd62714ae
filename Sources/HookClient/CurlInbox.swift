/// What other threads hand the driver thread, guarded by the driver's lock: the only shared mutable state
/// between callers and the driver.
struct CurlInbox: Sendable {
    /// The driver thread's life cycle as callers see it.
    enum State: Sendable {
        /// Accepting transfers.
        case running
        /// Asked to stop; the listed `shutdown()` callers wait for the thread to finish.
        case stopping(waiters: [CheckedContinuation<Void, Never>])
        /// The thread has failed every transfer and released the multi handle.
        case stopped
    }

    /// The work the driver thread picks up in one pass.
    struct Work {
        /// Transfers to add to the multi handle.
        var additions: [CurlTransfer]
        /// Transfers whose callers were cancelled.
        var cancellations: [CurlTransfer]
        /// Whether the thread should fail what is left and exit.
        var isStopping: Bool
    }

    private(set) var state = State.running
    private var additions: [CurlTransfer] = []
    private var cancellations: [CurlTransfer] = []

    /// Whether transfers are still accepted.
    var isRunning: Bool {
        if case .running = state { true } else { false }
    }

    /// Queues a new transfer; false once the driver is stopping.
    mutating func add(_ transfer: CurlTransfer) -> Bool {
        guard isRunning else { return false }
        additions.append(transfer)
        return true
    }

    /// Queues a cancellation; false once the driver is stopping (every transfer then fails with `.shutDown`).
    mutating func cancel(_ transfer: CurlTransfer) -> Bool {
        guard isRunning else { return false }
        cancellations.append(transfer)
        return true
    }

    /// Asks the driver to stop; returns false when it already has stopped, so `waiter` must be resumed at once.
    mutating func stop(waiter: CheckedContinuation<Void, Never>?) -> Bool {
        switch state {
        case .running:
            state = .stopping(waiters: waiter.map { [$0] } ?? [])
            return true
        case .stopping(var waiters):
            if let waiter { waiters.append(waiter) }
            state = .stopping(waiters: waiters)
            return true
        case .stopped:
            return false
        }
    }

    /// Hands the queued work to the driver thread.
    mutating func takeWork() -> Work {
        defer {
            additions.removeAll(keepingCapacity: true)
            cancellations.removeAll(keepingCapacity: true)
        }
        return Work(additions: additions, cancellations: cancellations, isStopping: !isRunning)
    }

    /// Records that the driver thread is done and returns who waits for it.
    mutating func markStopped() -> [CheckedContinuation<Void, Never>] {
        defer { state = .stopped }
        if case .stopping(let waiters) = state { return waiters }
        return []
    }
}
