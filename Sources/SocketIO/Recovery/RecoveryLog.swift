import NIOConcurrencyHelpers

/// A namespace's history of recorded events and the sessions of disconnected sockets, in this process's memory.
///
/// ``record(text:options:dispatch:)`` gives the event its offset and hands it on while holding the lock, so events are
/// dispatched in offset order, which is the order every socket receives them in.
final class RecoveryLog: Sendable {
    /// Most sessions kept at once; beyond it a disconnecting socket's session is not kept (its client gets a fresh
    /// one), so a flood of short connections cannot grow memory without bound.
    static let maxSessions = 100_000
    private static let sweepInterval: Duration = .seconds(30)
    /// The key of broadcasts to every socket of the namespace.
    private static let everyone = ""

    private struct StoredSession {
        var session: RecoverableSession
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var settings: ConnectionStateRecovery
        var last = RecoveryOffset(0)
        var rooms: [String: RoomHistory] = [:]
        var sessions: [String: StoredSession] = [:]
        var nextSweep: ContinuousClock.Instant
    }

    private let state: NIOLockedValueBox<State>

    init(settings: ConnectionStateRecovery) {
        state = NIOLockedValueBox(State(settings: settings, nextSweep: .now + Self.sweepInterval))
    }

    func update(_ settings: ConnectionStateRecovery) {
        state.withLockedValue { $0.settings = settings }
    }

    /// Records an event with the next offset and calls `dispatch` with it before any later event is recorded.
    func record(text: String, options: BroadcastOptions, dispatch: (RecordedEvent) -> Void) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            state.last = RecoveryOffset(state.last.value + 1)
            let event = RecordedEvent(offset: state.last, text: text, options: options)
            let limit = state.settings.maxEventsPerRoom
            if options.rooms.isEmpty {
                state.rooms[Self.everyone, default: RoomHistory()].append(event, at: now, limit: limit)
            }
            for room in options.rooms {
                state.rooms[room, default: RoomHistory()].append(event, at: now, limit: limit)
            }
            Self.sweepIfDue(&state, now: now)
            dispatch(event)
        }
    }

    /// The offset of the last recorded event.
    var lastOffset: RecoveryOffset {
        state.withLockedValue { $0.last }
    }

    /// Keeps `session` for the window, unless ``maxSessions`` are kept already.
    func persist(_ session: RecoverableSession) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            Self.sweepIfDue(&state, now: now)
            guard state.sessions.count < Self.maxSessions || state.sessions[session.pid] != nil else { return }
            state.sessions[session.pid] = StoredSession(session: session, expires: now + state.settings.maxDisconnection)
        }
    }

    /// The session kept for `pid`, if its window has not passed.
    func session(pid: String) -> RecoverableSession? {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            guard let stored = state.sessions[pid], stored.expires > now else { return nil }
            return stored.session
        }
    }

    /// Removes the session of `pid` and returns what a socket in `rooms` missed after `offset`; nil when the session
    /// is unknown or expired, the offset is not one this history gave, or an event after it is gone.
    func takeMissed(pid: String, after offset: RecoveryOffset, rooms: Set<String>) -> MissedEvents? {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            guard let stored = state.sessions.removeValue(forKey: pid), stored.expires > now, offset <= state.last else {
                return nil
            }
            var events: [RecoveryOffset: RecordedEvent] = [:]
            for room in rooms.union([Self.everyone]) {
                guard let history = state.rooms[room] else { continue }
                guard history.isComplete(after: offset) else { return nil }
                for event in history.events(after: offset) where event.includes(socketIn: rooms) {
                    events[event.offset] = event
                }
            }
            return MissedEvents(events: events.values.sorted { $0.offset < $1.offset }, through: state.last)
        }
    }

    private static func sweepIfDue(_ state: inout State, now: ContinuousClock.Instant) {
        guard now >= state.nextSweep else { return }
        state.nextSweep = now + sweepInterval
        let cutoff = now - state.settings.eventRetention
        for room in Array(state.rooms.keys) {
            state.rooms[room]?.expire(before: cutoff)
            if state.rooms[room]?.isEmpty == true { state.rooms[room] = nil }
        }
        state.sessions = state.sessions.filter { $0.value.expires > now }
    }
}
