/// A token bucket: holds up to `capacity` tokens and gains `ratePerSecond` of them each second; each unit of work
/// takes one. Time is passed in, so the bucket is a plain value that tests drive with any clock.
///
/// A request for more tokens than the bucket can ever hold is granted when the bucket is full and leaves it in
/// debt, which later refills repay: a large batch is never refused forever, and the average rate still holds.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens gained per second.
    public let ratePerSecond: Int
    /// Most tokens held at once: the burst allowed after a quiet period.
    public let capacity: Int
    private var tokens: Double
    private var updatedAt: Duration

    /// A full bucket at time `now`; `ratePerSecond` and `capacity` are at least 1.
    public init(ratePerSecond: Int, capacity: Int, now: Duration) {
        precondition(ratePerSecond >= 1 && capacity >= 1, "a token bucket needs a positive rate and capacity")
        self.ratePerSecond = ratePerSecond
        self.capacity = capacity
        tokens = Double(capacity)
        updatedAt = now
    }

    /// Takes `count` tokens at time `now` if there are enough; otherwise takes none and tells how many whole seconds
    /// (at least 1) until there will be.
    public mutating func take(_ count: Int, now: Duration) -> RateDecision {
        refill(until: now)
        let needed = Double(min(count, capacity))
        guard tokens >= needed else {
            let seconds = (needed - tokens) / Double(ratePerSecond)
            return .refused(retryAfterSeconds: max(1, Int(seconds.rounded(.up))))
        }
        tokens -= Double(count)
        return .granted
    }

    private mutating func refill(until now: Duration) {
        guard now > updatedAt else { return }
        let elapsed = now - updatedAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(Double(capacity), tokens + seconds * Double(ratePerSecond))
        updatedAt = now
    }
}

/// Whether a rate limit lets work through.
public enum RateDecision: Sendable, Hashable {
    /// Go ahead.
    case granted
    /// Not now; retry after this many seconds.
    case refused(retryAfterSeconds: Int)
}
