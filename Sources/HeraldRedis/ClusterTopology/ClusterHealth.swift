import NIOCore

/// The state a ``ClusterRouter`` shows its owner, with the observers and waiters following it: connected when the
/// slot map is loaded and every master serving a slot is connected; one `.disconnected` per outage, like a single
/// connection.
struct ClusterHealth {
    private(set) var visible = RedisConnectionState.connecting
    private var observers: [Int: AsyncStream<RedisConnectionState>.Continuation] = [:]
    private var nextObserver = 0
    private var waiters: [EventLoopPromise<Void>] = []

    /// Moves to `next` when its kind differs and returns the waiters to succeed (when it became connected).
    mutating func show(_ next: RedisConnectionState) -> [EventLoopPromise<Void>] {
        switch (visible, next) {
        case (.connecting, .connecting), (.connected, .connected), (.disconnected, .disconnected), (.closed, _):
            return []
        default:
            visible = next
            for observer in observers.values {
                observer.yield(next)
            }
            guard next == .connected else {
                return []
            }
            defer { waiters = [] }
            return waiters
        }
    }

    /// Adds an observer, after yielding the current state to it; `nil` once closed.
    mutating func observe(_ continuation: AsyncStream<RedisConnectionState>.Continuation) -> Int? {
        continuation.yield(visible)
        guard visible != .closed else {
            return nil
        }
        defer { nextObserver += 1 }
        observers[nextObserver] = continuation
        return nextObserver
    }

    mutating func stopObserving(_ id: Int) {
        observers[id] = nil
    }

    /// Parks `promise` until connected; `false` when there is no need (connected or closed: the caller completes it).
    mutating func wait(_ promise: EventLoopPromise<Void>) -> Bool {
        switch visible {
        case .connected, .closed: return false
        case .connecting, .disconnected:
            waiters.append(promise)
            return true
        }
    }

    /// Forgets `promise`; `false` when it was no longer waiting (it is being completed by ``show(_:)``).
    mutating func stopWaiting(_ promise: EventLoopPromise<Void>) -> Bool {
        guard let index = waiters.firstIndex(where: { $0.futureResult === promise.futureResult }) else {
            return false
        }
        waiters.remove(at: index)
        return true
    }

    /// Closes: ends every observer and returns the waiters to fail.
    mutating func close() -> [EventLoopPromise<Void>] {
        visible = .closed
        for observer in observers.values {
            observer.yield(.closed)
            observer.finish()
        }
        observers = [:]
        defer { waiters = [] }
        return waiters
    }
}
