import NIOConcurrencyHelpers

/// How many slots or tokens an instance takes from Redis at once: `max(1, limit / (10 × instances))`, so what all
/// instances hold beyond their use is at most about a tenth of the limit, and a site whose limit is under ten per
/// instance is enforced exactly (one at a time).
final class LeaseSize: Sendable {
    private let instances = NIOLockedValueBox(1)

    /// Live instances as last counted (at least 1).
    var instanceCount: Int { instances.withLockedValue { $0 } }

    /// Records how many instances are live.
    func update(instances count: Int) {
        instances.withLockedValue { $0 = max(1, count) }
    }

    /// The lease for `limit`.
    func lease(for limit: Int) -> Int {
        max(1, limit / (10 * instanceCount))
    }
}
