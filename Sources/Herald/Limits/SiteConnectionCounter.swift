import NIOConcurrencyHelpers

/// Sockets of each site on this instance, counted against `maxConnections` from the start of their admission until
/// they disconnect (or their admission fails).
final class SiteConnectionCounter: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    /// Counts one more socket of `site` unless that would exceed its `maxConnections`; returns whether it did.
    func reserve(for site: Site) -> Bool {
        counts.withLockedValue { counts in
            let current = counts[site.name, default: 0]
            if let limit = site.limits.maxConnections, current >= limit {
                return false
            }
            counts[site.name] = current + 1
            return true
        }
    }

    /// Counts one socket of `siteName` less.
    func release(siteName: String) {
        counts.withLockedValue { counts in
            let remaining = counts[siteName, default: 0] - 1
            counts[siteName] = remaining > 0 ? remaining : nil
        }
    }

    /// Sockets of `siteName` counted now.
    func count(siteName: String) -> Int {
        counts.withLockedValue { $0[siteName, default: 0] }
    }
}
