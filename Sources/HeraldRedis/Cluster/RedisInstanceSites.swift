import NIOConcurrencyHelpers

/// The sites an instance keeps a share in (`herald:{site}:inst:<id>`, `prinst:<id>`, `csrinst:<id>`), listed in the
/// set `herald:instsites:<id>` so whoever reaps the instance knows which sites to walk.
///
/// Scripts touch only their site's slot, so the instance's own keys — `herald:instances`, `herald:alive:<id>` and
/// this set — are written here, outside scripts, before the first script of a site writes the instance's share:
/// an instance that holds anything in a site is always listed with a liveness key and the site, so it is reaped
/// even if it dies before its first heartbeat. ``RedisInstanceRegistry`` lists the sites again with each heartbeat,
/// in case another instance took this one for dead and forgot them.
public final class RedisInstanceSites: Sendable {
    /// The instance whose sites these are.
    public let instanceID: String
    private let client: RedisClient
    private let keyPrefix: String
    private let livenessMilliseconds: Int
    private let entered = NIOLockedValueBox<Set<String>>([])

    /// The sites of `instanceID` on `client`; its liveness key, when missing, is set for `timeToLive`.
    public init(client: RedisClient, instanceID: String, keyPrefix: String = "herald", timeToLive: Duration = .seconds(10)) {
        self.client = client
        self.instanceID = instanceID
        self.keyPrefix = keyPrefix
        livenessMilliseconds = timeToLive.redisMilliseconds
    }

    /// Lists the instance (with a liveness key if it has none) and `site`, once per site and process; call it
    /// before a script writes the instance's share of `site`.
    func enter(_ site: String) async throws(RedisError) {
        guard !entered.withLockedValue({ $0.contains(site) }) else { return }
        _ = try await client.send(["SADD", Self.instancesKey(prefix: keyPrefix), instanceID])
        _ = try await client.send([
            "SET", Self.aliveKey(prefix: keyPrefix, instanceID: instanceID), "1", "PX", "\(livenessMilliseconds)", "NX",
        ])
        _ = try await client.send(["SADD", Self.sitesKey(prefix: keyPrefix, instanceID: instanceID), site])
        entered.withLockedValue { _ = $0.insert(site) }
    }

    /// The sites entered so far by this process.
    var sites: [String] {
        entered.withLockedValue { $0.sorted() }
    }

    /// The set of every instance ID.
    static func instancesKey(prefix: String) -> String {
        "\(prefix):instances"
    }

    /// An instance's liveness key, refreshed by its heartbeats.
    static func aliveKey(prefix: String, instanceID: String) -> String {
        "\(prefix):alive:\(instanceID)"
    }

    /// The set of sites an instance holds a share in.
    static func sitesKey(prefix: String, instanceID: String) -> String {
        "\(prefix):instsites:\(instanceID)"
    }
}
