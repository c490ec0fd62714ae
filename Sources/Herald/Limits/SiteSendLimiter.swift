import NIOConcurrencyHelpers

/// `maxSendsPerSecond` of every site: one token bucket per site, each message of a `POST /send` taking one token.
///
/// A site's bucket starts full (one second's worth) and is replaced when a reload changes the site's rate.
public final class SiteSendLimiter: SiteSendRate {
    private let buckets = NIOLockedValueBox<[String: TokenBucket]>([:])
    private let now: MonotonicTime

    /// Creates the limiter measuring time with `now`.
    public init(now: @escaping MonotonicTime = continuousTime()) {
        self.now = now
    }

    /// Takes `messages` tokens from `site`'s bucket (a batch of N messages takes N); always granted on a site
    /// without `maxSendsPerSecond`.
    public func consume(_ messages: Int, for site: Site) -> RateDecision {
        guard let rate = site.limits.maxSendsPerSecond else { return .granted }
        let time = now()
        return buckets.withLockedValue { buckets in
            var bucket =
                buckets[site.name].flatMap { $0.ratePerSecond == rate ? $0 : nil }
                ?? TokenBucket(ratePerSecond: rate, capacity: rate, now: time)
            let decision = bucket.take(messages, now: time)
            buckets[site.name] = bucket
            return decision
        }
    }

    /// Forgets the buckets of sites no longer served.
    public func retain(sites: [String]) {
        let kept = Set(sites)
        buckets.withLockedValue { buckets in buckets = buckets.filter { kept.contains($0.key) } }
    }
}
