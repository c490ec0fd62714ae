import Herald
public import Logging

/// The per-site limits enforced across every instance on one Redis: ``connections`` (`maxConnections`) and
/// ``sends`` (`maxSendsPerSecond`), and what keeps their leases right: renewal and the count of live instances each
/// heartbeat (``run()``), the release of a dead instance's leases (``reap(instance:)``) and of this one's on a
/// graceful shutdown (``retire()``).
public final class RedisSiteLimits: Sendable {
    /// `maxConnections` across the cluster.
    public let connections: RedisConnectionLeases
    /// `maxSendsPerSecond` across the cluster.
    public let sends: RedisSendRate
    private let client: RedisClient
    private let keyPrefix: String
    private let size = LeaseSize()
    private let interval: Duration

    /// Creates the limits of `instanceID`; its connection leases live `instanceTimeout` after their last renewal,
    /// renewed every `interval`.
    public init(
        client: RedisClient,
        instanceID: String,
        instanceTimeout: Duration,
        interval: Duration,
        keyPrefix: String = "herald",
        logger: Logger
    ) {
        self.client = client
        self.keyPrefix = keyPrefix
        self.interval = interval
        connections = RedisConnectionLeases(
            client: client,
            instanceID: instanceID,
            keyPrefix: keyPrefix,
            leaseLifetime: instanceTimeout,
            size: size,
            logger: logger
        )
        sends = RedisSendRate(client: client, keyPrefix: keyPrefix, size: size, fallback: SiteSendLimiter(), logger: logger)
    }

    /// Renews this instance's connection leases and counts the live instances (which sizes the leases) every
    /// interval, until cancelled.
    public func run() async {
        while !Task.isCancelled {
            if let count = try? await client.send(["SCARD", "\(keyPrefix):instances"]).int {
                size.update(instances: count)
            }
            await connections.renew()
            try? await Task.sleep(for: interval)
        }
    }

    /// Releases the connection leases of `instance`, which stopped answering.
    public func reap(instance: String) async {
        await connections.reap(instance: instance)
    }

    /// Gives back this instance's connection leases (after a drain closed its sockets).
    public func retire() async {
        await connections.retire()
    }
}
