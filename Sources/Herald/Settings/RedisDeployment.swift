/// Which Redis Herald runs on (`redis:` in `config.yml`, `REDIS_URL`).
public enum RedisDeployment: Sendable, Hashable {
    /// A Redis URL: one server (`redis://`, `rediss://`) or a master found through the sentinels it lists
    /// (`redis+sentinel://`, `rediss+sentinel://`).
    case url(String)
    /// A master found through Sentinel, written as lists (`redis: {sentinels: [...], masterName: ...}`).
    case sentinel(RedisSentinelSettings)
    /// A Redis Cluster reached through seed nodes (`redis: {cluster: ["host:port", ...]}`).
    case cluster(RedisClusterSettings)
}

/// `redis: {cluster: [...], username, password}`: seed nodes of a Redis Cluster (the client learns the others from
/// the cluster) and the credentials every node shares.
public struct RedisClusterSettings: Sendable, Hashable {
    /// Seed nodes as `host:port` (`[ipv6]:port`; a bare host means port 6379); at least one.
    public var seeds: [String]
    /// ACL user of the nodes (`redis.username`); nil authenticates as the default user.
    public var username: String?
    /// Password of the nodes (`redis.password`); nil sends no `AUTH`.
    public var password: String?

    /// Cluster settings from their parts.
    public init(seeds: [String], username: String? = nil, password: String? = nil) {
        self.seeds = seeds
        self.username = username
        self.password = password
    }
}

/// `redis: {sentinels, masterName, …}`: where the sentinels are, which master to ask them for, and the credentials
/// of the master and of the sentinels.
public struct RedisSentinelSettings: Sendable, Hashable {
    /// The sentinels as `host:port` (`[ipv6]:port`; a bare host means port 26379), asked in turn; at least one.
    public var sentinels: [String]
    /// The master's name in the sentinels' `sentinel monitor` lines.
    public var masterName: String
    /// ACL user of the master (`redis.username`); nil authenticates as the default user.
    public var username: String?
    /// Password of the master (`redis.password`); nil sends no `AUTH`.
    public var password: String?
    /// Database selected on the master (`redis.database`).
    public var database: Int
    /// ACL user of the sentinels (`redis.sentinelUsername`).
    public var sentinelUsername: String?
    /// Password of the sentinels (`redis.sentinelPassword`, their `requirepass`).
    public var sentinelPassword: String?

    /// Sentinel settings from their parts.
    public init(
        sentinels: [String],
        masterName: String,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        sentinelUsername: String? = nil,
        sentinelPassword: String? = nil
    ) {
        self.sentinels = sentinels
        self.masterName = masterName
        self.username = username
        self.password = password
        self.database = database
        self.sentinelUsername = sentinelUsername
        self.sentinelPassword = sentinelPassword
    }
}

/// `redis.waitReplicas` / `redis.waitTimeoutMs`: after storing a message, wait until this many replicas have it
/// (`WAIT`) before `/send` answers, so a failover right after the answer cannot lose it.
public struct RedisReplicaWaitSettings: Sendable, Hashable {
    /// Replicas that must have the write; at least 1.
    public var replicas: Int
    /// The longest wait for them; past it the send counts as not stored (503).
    public var timeout: Duration

    /// Acknowledgement settings; 500 ms unless told otherwise.
    public init(replicas: Int, timeout: Duration = .milliseconds(500)) {
        self.replicas = replicas
        self.timeout = timeout
    }
}
