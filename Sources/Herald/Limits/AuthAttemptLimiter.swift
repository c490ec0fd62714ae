import NIOConcurrencyHelpers

/// `maxAuthAttemptsPerMinute`: how many handshakes that would ask a site's authentication one client address may make
/// per minute. Each site counts its own, so a tenant's limit never refuses another site's clients; over it the client
/// is refused with "Too many authentication attempts" and the site's `authUrl` is not called.
final class AuthAttemptLimiter: Sendable {
    /// Addresses (per site) tracked at once by default: a few MiB at most, whatever a hostile client's address count.
    static let defaultMaxTrackedAddresses = 65_536

    private struct Key: Hashable, Sendable {
        let site: String
        let address: IPAddress?
    }

    private let ledger: NIOLockedValueBox<AttemptLedger<Key>>
    private let now: MonotonicTime

    /// A limiter tracking up to `maxTrackedAddresses` (site, address) pairs, measuring time with `now` (tests stop it).
    init(maxTrackedAddresses: Int = defaultMaxTrackedAddresses, now: @escaping MonotonicTime = continuousTime()) {
        self.now = now
        ledger = NIOLockedValueBox(AttemptLedger(maxKeys: maxTrackedAddresses, now: now()))
    }

    /// Counts an attempt from `address` on `site` against `perMinute`, and tells whether it may go on to authentication.
    /// Clients whose address is unknown are counted as one address.
    func admit(address: IPAddress?, site: String, perMinute: Int) -> Bool {
        let time = now()
        let key = Key(site: site, address: address)
        return ledger.withLockedValue { $0.attempt(key, perMinute: perMinute, now: time) }
    }

    /// (site, address) pairs tracked now.
    var trackedCount: Int {
        ledger.withLockedValue { $0.count }
    }
}
