/// How long to wait between reconnect attempts: exponential from `initialDelay` up to `maximumDelay`, each
/// delay shortened by a random part so that many instances do not reconnect in lockstep after an outage.
public struct RedisReconnectBackoff: Sendable, Hashable {
    /// The wait after the first failed attempt.
    public var initialDelay: Duration
    /// The longest wait, reached after repeated failures.
    public var maximumDelay: Duration
    /// The fraction of each delay that is random, from 0 (none) to 1 (anything between zero and the delay).
    public var jitter: Double

    /// Backoff settings; the defaults go 50 ms, 100 ms, 200 ms … up to 5 s, each up to half shorter.
    public init(initialDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(5), jitter: Double = 0.5) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The wait before the next attempt after `failures` consecutive failed attempts (1 or more).
    public func delay(afterFailures failures: Int) -> Duration {
        let initial = Self.nanoseconds(initialDelay)
        let maximum = Self.nanoseconds(maximumDelay)
        var full = initial
        for _ in 1..<min(max(failures, 1), 64) where full < maximum {
            full = full.multipliedReportingOverflow(by: 2).overflow ? maximum : full * 2
        }
        full = min(full, maximum)
        let shortening = Int64(Double(full) * jitter * Double.random(in: 0...1))
        return .nanoseconds(full - shortening)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return max(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000, 0)
    }
}
