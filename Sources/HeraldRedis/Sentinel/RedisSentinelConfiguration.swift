/// How to find a Redis master through Redis Sentinel: the sentinels to ask, the name they monitor it under, and
/// the sentinels' own credentials (the master's are those of the ``RedisConfiguration``).
public struct RedisSentinelConfiguration: Sendable, Hashable {
    /// The port sentinels listen on unless told otherwise.
    public static let defaultPort = 26379

    /// The sentinels, asked in turn until one names the master; at least one.
    public var sentinels: [RedisNodeAddress]
    /// The name of the master in the sentinels' `sentinel monitor <name> …` lines.
    public var masterName: String
    /// ACL user for `AUTH` on the sentinels; `nil` authenticates as the default user.
    public var username: String?
    /// Password for `AUTH` on the sentinels (`requirepass` in `sentinel.conf`); `nil` sends no `AUTH`.
    public var password: String?

    /// A Sentinel configuration from its parts.
    ///
    /// - Throws: ``RedisConfigurationError`` when `sentinels` is empty, `masterName` is empty or has spaces, or a
    ///   user name comes without a password.
    public init(
        sentinels: [RedisNodeAddress],
        masterName: String,
        username: String? = nil,
        password: String? = nil
    ) throws(RedisConfigurationError) {
        guard !sentinels.isEmpty else {
            throw RedisConfigurationError("Sentinel needs at least one sentinel address")
        }
        guard !masterName.isEmpty, !masterName.contains(where: \.isWhitespace) else {
            throw RedisConfigurationError("the Sentinel master name must be a non-empty word")
        }
        guard username == nil || password != nil else {
            throw RedisConfigurationError("a sentinel user name needs a sentinel password")
        }
        self.sentinels = sentinels
        self.masterName = masterName
        self.username = username
        self.password = password
    }
}

extension RedisConfiguration {
    /// A configuration whose master is found through `sentinel`; every other setting keeps its default.
    public init(sentinel: RedisSentinelConfiguration) {
        self.init(host: sentinel.sentinels[0].host, port: sentinel.sentinels[0].port)
        topology = .sentinel(sentinel)
    }

    /// The Sentinel settings, `nil` for a standalone server.
    var sentinel: RedisSentinelConfiguration? {
        if case .sentinel(let sentinel) = topology { sentinel } else { nil }
    }

    /// The settings of a connection to a sentinel: its address and credentials, no database, no TLS, these timeouts.
    func sentinelNode(_ node: RedisNodeAddress, of sentinel: RedisSentinelConfiguration) -> RedisConfiguration {
        var configuration = self
        configuration.host = node.host
        configuration.port = node.port
        configuration.topology = .standalone
        configuration.username = sentinel.username
        configuration.password = sentinel.password
        configuration.database = 0
        configuration.tls = nil
        return configuration
    }
}
