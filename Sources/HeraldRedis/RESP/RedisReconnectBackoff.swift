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
        let exponent = min(max(failures - 1, 0), 30)
        let initial = Self.seconds(initialDelay)
        let maximum = Self.seconds(maximumDelay)
        let full = min(initial * Double(1 << exponent), maximum)
        let shortened = full * (1 - jitter * Double.random(in: 0...1))
        return .nanoseconds(Int64(shortened * 1e9))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
