import NIOConcurrencyHelpers

/// A lease one instance at a time holds: the Redis string `key` names its owner and expires after `timeToLive`
/// unless the owner renews it.
///
/// Taking and renewing are one script (set when free, extend when ours, refuse otherwise). The owner counts the
/// lease as held until `timeToLive` after it *sent* its last successful take or renew — never longer than Redis
/// keeps the key, which starts counting when the command arrives — so a previous owner stops acting on the lease
/// before anybody else can take it. An owner that cannot reach Redis keeps its lease only until that moment.
public final class RedisLeaderLease: Sendable {
    /// The lease's key.
    public let key: String
    /// This instance's name in the key.
    public let owner: String
    /// How long the lease lasts without renewal.
    public let timeToLive: Duration
    private let client: RedisClient
    private let heldUntil = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    /// Creates the lease `key` for `owner`; nothing is sent until ``acquireOrRenew()``.
    public init(client: RedisClient, key: String, owner: String, timeToLive: Duration) {
        self.client = client
        self.key = key
        self.owner = owner
        self.timeToLive = timeToLive
    }

    /// Whether this owner holds the lease right now.
    public var isHeld: Bool {
        heldUntil.withLockedValue { until in until.map { ContinuousClock.now < $0 } ?? false }
    }

    /// Takes the lease if it is free, renews it if this owner holds it; returns whether this owner holds it now.
    /// When Redis cannot be asked, the lease counts as held only until its last renewal runs out.
    @discardableResult
    public func acquireOrRenew() async -> Bool {
        let sent = ContinuousClock.now
        do {
            let reply = try await client.run(
                Self.acquireOrRenewScript,
                keys: [key],
                arguments: [owner, "\(timeToLive.redisMilliseconds)"]
            )
            let held = reply.int == 1
            heldUntil.withLockedValue { $0 = held ? sent + timeToLive : nil }
            return held
        } catch {
            return isHeld
        }
    }

    /// Stops counting the lease as held, without telling Redis (for example when this instance may have missed
    /// messages); the next ``acquireOrRenew()`` takes it again if nobody else did.
    public func forfeit() {
        heldUntil.withLockedValue { $0 = nil }
    }

    /// Gives the lease up, so another instance can take it at once instead of after it expires.
    public func release() async {
        forfeit()
        _ = try? await client.run(Self.releaseScript, keys: [key], arguments: [owner])
    }

    /// The owner now, `nil` when nobody holds the lease.
    public func currentOwner() async throws(RedisError) -> String? {
        try await client.send(["GET", key]).string
    }

    static let acquireOrRenewScript = RedisScript(
        """
        local owner = redis.call('GET', KEYS[1])
        if owner == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if owner then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """
    )

    static let releaseScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        return redis.call('DEL', KEYS[1])
        """
    )
}
