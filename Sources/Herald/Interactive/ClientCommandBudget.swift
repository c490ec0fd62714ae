import NIOConcurrencyHelpers

/// One socket's allowance for client commands: hook calls waiting at once (each holds a slot until its hook
/// answers) and started per second, `_publish` events per second, and which subscriptions are still wanted while
/// their hook is asked.
final class ClientCommandBudget: Sendable {
    private struct State {
        var callsInFlight = 0
        var calls: TokenBucket
        var publishes: TokenBucket
        var subscribeTickets: [String: Int] = [:]
        var nextTicket = 0
    }

    private let state: NIOLockedValueBox<State>
    private let maxCallsInFlight: Int
    private let now: MonotonicTime

    /// A fresh allowance: `maxCallsInFlight` hook calls at once and `callsPerSecond` started per second,
    /// `publishesPerSecond` publishes (each rate a burst of as many).
    init(maxCallsInFlight: Int, callsPerSecond: Int, publishesPerSecond: Int, now: @escaping MonotonicTime) {
        self.maxCallsInFlight = maxCallsInFlight
        self.now = now
        let time = now()
        state = NIOLockedValueBox(
            State(
                calls: TokenBucket(ratePerSecond: callsPerSecond, capacity: callsPerSecond, now: time),
                publishes: TokenBucket(ratePerSecond: publishesPerSecond, capacity: publishesPerSecond, now: time)
            )
        )
    }

    /// Takes a hook-call slot and one call of the per-second allowance; false (taking neither) when
    /// ``maxCallsInFlight`` are taken or the second's calls are spent.
    func startCall() -> Bool {
        let time = now()
        return state.withLockedValue { state in
            guard state.callsInFlight < maxCallsInFlight, state.calls.take(1, now: time) == .granted else { return false }
            state.callsInFlight += 1
            return true
        }
    }

    /// Gives a slot back.
    func finishCall() {
        state.withLockedValue { $0.callsInFlight -= 1 }
    }

    /// Takes one publish from the per-second allowance.
    func takePublish() -> Bool {
        let time = now()
        return state.withLockedValue { $0.publishes.take(1, now: time) == .granted }
    }

    /// Notes that `room` is wanted from now on; the ticket tells later whether it still is.
    func wantSubscription(to room: String) -> Int {
        state.withLockedValue { state in
            state.nextTicket += 1
            state.subscribeTickets[room] = state.nextTicket
            return state.nextTicket
        }
    }

    /// Whether the subscription `ticket` stands for is still wanted (no `_unsubscribe` and no later `_subscribe` of
    /// the room since); it is settled either way.
    func settleSubscription(to room: String, ticket: Int) -> Bool {
        state.withLockedValue { state in
            guard state.subscribeTickets[room] == ticket else { return false }
            state.subscribeTickets[room] = nil
            return true
        }
    }

    /// Drops a pending subscription to `room`.
    func dropSubscription(to room: String) {
        state.withLockedValue { _ = $0.subscribeTickets.removeValue(forKey: room) }
    }
}
