/// Runs a pending leave's settlement after the site's grace; a seam so tests fire it by hand instead of waiting.
public protocol PresenceTimer: Sendable {
    /// Runs `action` once `delay` has passed.
    func schedule(after delay: Duration, _ action: @escaping @Sendable () async -> Void)
}

/// The real timer: a task that sleeps for the delay. The timers die with the process: a retiring instance settles its
/// pending leaves itself, and a dead one's are settled by the instance that reaps it; a timer that fires after its
/// leave was settled that way finds nothing left to remove.
public struct TaskPresenceTimer: PresenceTimer {
    /// Creates the timer.
    public init() {}

    public func schedule(after delay: Duration, _ action: @escaping @Sendable () async -> Void) {
        Task {
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            await action()
        }
    }
}
