public import Herald
import Logging
import NIOConcurrencyHelpers

/// `maxConnections` across the instances sharing one Redis: each instance leases blocks of a site's connection
/// slots from the site's lease hash (``RedisLimitScripts/connectionLease``), admits sockets on them without asking
/// Redis, and gives a block back once it holds a whole block unused.
///
/// A socket beyond the lease waits for one lease call; the sockets waiting at once share it. When Redis does not
/// answer (down, or slower than its command timeout), the socket is admitted on this instance's own count alone,
/// as without Redis. Leases live ``leaseLifetime`` and are renewed by ``renew()``: a dead instance's lease expires,
/// and is released at once when the instance is reaped.
public final class RedisConnectionLeases: ClusterConnectionLimit {
    private struct SiteLease {
        /// Sockets admitted and not yet released.
        var used = 0
        /// Slots this instance holds in Redis, as far as it knows.
        var leased = 0
        /// Sockets waiting for the lease call in flight.
        var waiting = 0
        /// Slots taken per lease call, from the site's `maxConnections` when last reserved.
        var block = 1
        /// Returns of slots sent to Redis and not yet answered.
        var returning = 0
        var call: Task<LeaseOutcome, Never>?
    }

    private enum LeaseOutcome: Sendable {
        case granted
        case full
        case unavailable
    }

    private enum Step {
        case admitted
        case wait(Task<LeaseOutcome, Never>)
    }

    private let client: RedisClient
    private let instanceID: String
    private let keyPrefix: String
    private let size: LeaseSize
    private let logger: Logger
    private let sites = NIOLockedValueBox<[String: SiteLease]>([:])
    /// How long a lease counts after its last renewal.
    let leaseLifetime: Duration
    /// Rounds of lease calls one socket goes through before it is refused (others took what each call granted).
    private static let maxRounds = 8

    /// Creates the leases of `instanceID`, each living `leaseLifetime` after its last renewal.
    init(client: RedisClient, instanceID: String, keyPrefix: String, leaseLifetime: Duration, size: LeaseSize, logger: Logger) {
        self.client = client
        self.instanceID = instanceID
        self.keyPrefix = keyPrefix
        self.leaseLifetime = leaseLifetime
        self.size = size
        self.logger = logger
    }

    public func reserve(for site: Site) async -> ClusterAdmission {
        guard let limit = site.limits.maxConnections else { return .unlimited }
        for _ in 0..<Self.maxRounds {
            let step = sites.withLockedValue { sites -> Step in
                var lease = sites[site.name, default: SiteLease()]
                defer { sites[site.name] = lease }
                lease.block = size.lease(for: limit)
                if lease.used < lease.leased {
                    lease.used += 1
                    return .admitted
                }
                lease.waiting += 1
                if let call = lease.call {
                    return .wait(call)
                }
                let call = Task { await self.takeBlock(site: site.name, limit: limit) }
                lease.call = call
                return .wait(call)
            }
            guard case .wait(let call) = step else { return .admitted }
            switch await call.value {
            case .granted:
                continue
            case .full:
                return .refused
            case .unavailable:
                sites.withLockedValue { $0[site.name, default: SiteLease()].used += 1 }
                return .admitted
            }
        }
        return .refused
    }

    public func release(siteName: String) {
        let returned = sites.withLockedValue { sites -> Int in
            guard var lease = sites[siteName], lease.used > 0 else { return 0 }
            lease.used -= 1
            let spare = lease.leased - lease.used
            let returned = lease.call == nil && spare >= lease.block ? spare : 0
            lease.leased -= returned
            lease.returning += returned > 0 ? 1 : 0
            sites[siteName] = lease
            return returned
        }
        guard returned > 0 else { return }
        Task {
            await self.change(site: siteName, mode: "give", amount: returned, limit: 0)
            self.sites.withLockedValue { $0[siteName]?.returning -= 1 }
        }
    }

    /// Writes every lease this instance holds again, extending its lifetime, and lists the sites in this instance's
    /// lease index (for the reaper); runs every heartbeat.
    ///
    /// A site whose lease is changing in Redis right now is left to the next renewal. While a site's renewal is in
    /// flight it stands as the site's lease call: connects beyond the lease wait for it and then take their block,
    /// and no block is given back meanwhile, so no change can reach Redis between the renewal's reading of the
    /// count and its writing it (which would leave Redis a block behind this instance until the next renewal).
    func renew() async {
        let renewals = sites.withLockedValue { sites -> [(site: String, call: Task<LeaseOutcome, Never>)] in
            var renewals: [(site: String, call: Task<LeaseOutcome, Never>)] = []
            for (site, lease) in sites where lease.leased > 0 && lease.call == nil && lease.returning == 0 {
                let call = Task { await self.rewrite(site: site, leased: lease.leased) }
                sites[site]?.call = call
                renewals.append((site, call))
            }
            return renewals
        }
        guard !renewals.isEmpty else { return }
        for renewal in renewals {
            _ = await renewal.call.value
        }
        let index = Self.indexKey(prefix: keyPrefix, instanceID: instanceID)
        _ = try? await client.pipeline([
            ["SADD", index] + renewals.map(\.site),
            ["PEXPIRE", index, "\(leaseLifetime.redisMilliseconds)"],
        ])
    }

    /// Writes `leased` as the site's lease in Redis, then lets the site's next lease call start; the connects that
    /// waited meanwhile go round again.
    private func rewrite(site: String, leased: Int) async -> LeaseOutcome {
        await change(site: site, mode: "set", amount: leased, limit: 0)
        sites.withLockedValue { $0[site]?.call = nil }
        return .granted
    }

    /// Gives back every lease of this instance (a graceful shutdown, after its sockets were closed), once the lease
    /// calls and renewals in flight are answered, so none of them writes a lease back after it.
    func retire() async {
        let (held, inFlight) = sites.withLockedValue { sites in
            let names = Array(sites.keys)
            let calls = sites.values.compactMap(\.call)
            sites = [:]
            return (names, calls)
        }
        for call in inFlight {
            _ = await call.value
        }
        for site in held {
            await change(site: site, mode: "set", amount: 0, limit: 0)
        }
        _ = try? await client.send(["DEL", Self.indexKey(prefix: keyPrefix, instanceID: instanceID)])
    }

    /// Releases the leases of `instance`, which stopped answering (called by the reaper).
    func reap(instance: String) async {
        let index = Self.indexKey(prefix: keyPrefix, instanceID: instance)
        guard let sites = try? await client.send(["SMEMBERS", index]).array else { return }
        for site in sites.compactMap(\.string) {
            _ = try? await client.run(
                RedisLimitScripts.connectionLease,
                keys: [RedisLimitScripts.connectionLeasesKey(prefix: keyPrefix, site: site)],
                arguments: ["set", instance, "0", "0", "\(leaseLifetime.redisMilliseconds)"]
            )
        }
        _ = try? await client.send(["DEL", index])
    }

    /// Sockets of `siteName` admitted here and slots held, for tests.
    func counts(siteName: String) -> (used: Int, leased: Int) {
        sites.withLockedValue { sites in (sites[siteName]?.used ?? 0, sites[siteName]?.leased ?? 0) }
    }

    /// The set of sites an instance holds leases on.
    static func indexKey(prefix: String, instanceID: String) -> String {
        "\(prefix):connleases:\(instanceID)"
    }

    private func takeBlock(site: String, limit: Int) async -> LeaseOutcome {
        let want = sites.withLockedValue { sites in max(sites[site]?.block ?? 1, sites[site]?.waiting ?? 1) }
        let granted = await change(site: site, mode: "take", amount: want, limit: limit)
        sites.withLockedValue { sites in
            var lease = sites[site, default: SiteLease()]
            lease.leased += granted ?? 0
            lease.waiting = 0
            lease.call = nil
            sites[site] = lease
        }
        if granted != nil {
            let index = Self.indexKey(prefix: keyPrefix, instanceID: instanceID)
            _ = try? await client.pipeline([["SADD", index, site], ["PEXPIRE", index, "\(leaseLifetime.redisMilliseconds)"]])
        }
        switch granted {
        case nil: return .unavailable
        case 0?: return .full
        case _?: return .granted
        }
    }

    /// Runs the lease script; the slots granted, nil when Redis did not answer.
    @discardableResult
    private func change(site: String, mode: String, amount: Int, limit: Int) async -> Int? {
        do {
            let reply = try await client.run(
                RedisLimitScripts.connectionLease,
                keys: [RedisLimitScripts.connectionLeasesKey(prefix: keyPrefix, site: site)],
                arguments: [mode, instanceID, "\(amount)", "\(limit)", "\(leaseLifetime.redisMilliseconds)"]
            )
            return reply.array?.first?.int ?? 0
        } catch {
            logger.warning(
                "connection lease not changed: \(error); maxConnections counts this instance only meanwhile",
                metadata: ["site": "\(site)"]
            )
            return nil
        }
    }
}
