import NIOConcurrencyHelpers

/// Hook calls waiting per site on this instance, at most ``SiteInteraction/maxHookCallsInFlightPerSite`` each: the
/// hook client (one libcurl multi handle) serves every site, so a site whose clients flood their hooks is refused
/// beyond its share instead of delaying other sites' calls.
final class SiteHookSlots: Sendable {
    private let inFlight = NIOLockedValueBox<[String: Int]>([:])
    private let limit: Int

    /// Slots for `limit` calls per site.
    init(limit: Int = SiteInteraction.maxHookCallsInFlightPerSite) {
        self.limit = limit
    }

    /// Takes a slot of `site`; false when all are taken.
    func take(site: String) -> Bool {
        inFlight.withLockedValue { table in
            guard table[site, default: 0] < limit else { return false }
            table[site, default: 0] += 1
            return true
        }
    }

    /// Gives a slot of `site` back.
    func release(site: String) {
        inFlight.withLockedValue { table in
            let left = table[site, default: 1] - 1
            table[site] = left > 0 ? left : nil
        }
    }
}
