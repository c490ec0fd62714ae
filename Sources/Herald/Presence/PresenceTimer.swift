/// Runs a pending leave's settlement after the site's grace; a seam so tests fire it by hand instead of waiting.
public protocol PresenceTimer: Sendable {
    /// Runs `action` once `delay` has passed.
    func schedule(after delay: Duration, _ action: @escaping @Sendable () async -> Void)
}

/// The real timer: a task that sleeps for the delay. A task cancelled by shutdown does not run the action; the
/// instance's pending leaves are settled when it retires (or by whichever instance reaps it).
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
