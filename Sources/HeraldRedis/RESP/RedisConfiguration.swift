/// Where and how to reach Redis: address (one server, a cluster's seeds, or a master found through Sentinel),
/// credentials, database, TLS, timeouts and reconnect pacing.
///
/// Usually made from the service's `redis.url` with ``init(url:)``, from a list of cluster nodes with
/// ``init(clusterSeeds:)``, or with ``init(sentinel:)``; the TLS trust settings, which a URL cannot carry, are set on
/// ``tls`` afterwards.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or IP address (IPv6 without brackets); in cluster mode the first seed's.
    public var host: String
    /// TCP port; 6379 unless the URL says otherwise; in cluster mode the first seed's.
    public var port: Int
    /// One server, a Redis Cluster reached through seed nodes, or a master found through Sentinel; credentials, TLS
    /// and timeouts apply to every data node.
    public var topology: RedisTopology
    /// In cluster mode, how often the slot map is read again although nothing suggested a change (a `MOVED` reply
    /// or a lost node connection trigger a read at once).
    public var clusterRefreshInterval: Duration
    /// ACL user for `AUTH user password`; `nil` authenticates as the default user (`AUTH password`).
    public var username: String?
    /// Password for `AUTH`; `nil` sends no `AUTH`.
    public var password: String?
    /// Database selected with `SELECT` after connecting; 0 sends no `SELECT`.
    public var database: Int
    /// TLS settings for `rediss://`; `nil` for a plain TCP connection.
    public var tls: RedisTLSConfiguration?
    /// How long establishing a connection (TCP, TLS, `AUTH`, `SELECT`) may take before the attempt fails; the
    /// handshake commands also obey ``commandTimeout``.
    public var connectTimeout: Duration
    /// How long a command may wait for its reply. Past it the command fails with ``RedisError/timedOut`` and the
    /// connection is reopened.
    public var commandTimeout: Duration
    /// Pacing of reconnect attempts while Redis is unreachable.
    public var reconnectBackoff: RedisReconnectBackoff

    /// A configuration from its parts; the defaults suit a local Redis.
    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        tls: RedisTLSConfiguration? = nil,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2),
        reconnectBackoff: RedisReconnectBackoff = RedisReconnectBackoff()
    ) {
        self.host = host
        self.port = port
        self.topology = .standalone
        self.clusterRefreshInterval = .seconds(5)
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoff = reconnectBackoff
    }
}

extension RedisConfiguration {
    /// A cluster configuration from its seed nodes written `host:port` (`[ipv6]:port`; a bare host means port 6379),
    /// as listed in `redis: {cluster: [...]}`; every other setting keeps its default.
    ///
    /// - Throws: ``RedisConfigurationError`` when the list is empty or an entry is not an address.
    public init(clusterSeeds: [String]) throws(RedisConfigurationError) {
        var seeds: [RedisNodeAddress] = []
        for seed in clusterSeeds {
            seeds.append(try RedisNodeAddress(parsing: seed))
        }
        try self.init(clusterSeeds: seeds)
    }

    /// A cluster configuration from its seed nodes; every other setting keeps its default.
    ///
    /// - Throws: ``RedisConfigurationError`` when `clusterSeeds` is empty.
    public init(clusterSeeds: [RedisNodeAddress]) throws(RedisConfigurationError) {
        guard let first = clusterSeeds.first else {
            throw RedisConfigurationError("a Redis Cluster needs at least one seed node")
        }
        self.init(host: first.host, port: first.port)
        topology = .cluster(seeds: clusterSeeds)
    }

    /// Whether the configuration names a Redis Cluster.
    public var isCluster: Bool {
        if case .cluster = topology { true } else { false }
    }

    /// The settings of one connection to `node` of a cluster: these credentials, TLS and timeouts, that address.
    func node(_ node: RedisNodeAddress) -> RedisConfiguration {
        var configuration = self
        configuration.host = node.host
        configuration.port = node.port
        configuration.topology = .standalone
        return configuration
    }
}

extension RedisConfiguration: CustomStringConvertible {
    /// The configuration as a URL with the password masked, safe to log.
    public var description: String {
        var text = tls == nil ? "redis" : "rediss"
        switch topology {
        case .standalone: text += "://"
        case .cluster: text += "+cluster://"
        case .sentinel: text += "+sentinel://"
        }
        if username != nil || password != nil {
            text += username ?? ""
            if password != nil {
                text += ":***"
            }
            text += "@"
        }
        switch topology {
        case .standalone: text += RedisNodeAddress(host: host, port: port).description
        case .sentinel(let sentinel): text += sentinel.sentinels.map(\.description).joined(separator: ",") + "/\(sentinel.masterName)"
        case .cluster(let seeds): text += seeds.map(\.description).joined(separator: ",")
        }
        if database != 0 {
            text += "/\(database)"
        }
        return text
    }
}
