/// Whether a ``RedisConfiguration`` names one Redis server, the seed nodes of a Redis Cluster, or a master found
/// through Redis Sentinel.
public enum RedisTopology: Sendable, Hashable {
    /// One server (or a proxy in front of several) at ``RedisConfiguration/host`` and ``RedisConfiguration/port``.
    case standalone
    /// A Redis Cluster, reached first through any of `seeds`; the client learns the other nodes from the cluster
    /// itself (`CLUSTER SHARDS`), so a few seeds are enough.
    case cluster(seeds: [RedisNodeAddress])
    /// The master of a Sentinel-monitored group: asked of the sentinels before every connection and followed when
    /// they fail over. Credentials, database, TLS and timeouts of the configuration apply to the master.
    case sentinel(RedisSentinelConfiguration)
}

/// Where one Redis node listens.
public struct RedisNodeAddress: Sendable, Hashable {
    /// Host name or IP address (IPv6 without brackets).
    public var host: String
    /// TCP port.
    public var port: Int

    /// An address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `host:port`, `[ipv6]:port` or a bare host (then `defaultPort`).
    public init(parsing text: some StringProtocol, defaultPort: Int = 6379) throws(RedisConfigurationError) {
        let parsed = try RedisConfiguration.hostAndPort(Substring(text))
        self.init(host: parsed.host, port: parsed.port ?? defaultPort)
    }
}

extension RedisNodeAddress: CustomStringConvertible {
    /// `host:port`, with an IPv6 host in brackets.
    public var description: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}
