/// Where and how to reach Redis: address (one server, or a master found through Sentinel), credentials, database,
/// TLS, timeouts and reconnect pacing.
///
/// Usually made from the service's `redis.url` with ``init(url:)``, or with ``init(sentinel:)``; the TLS trust
/// settings, which a URL cannot carry, are set on ``tls`` afterwards.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or IP address (IPv6 without brackets).
    public var host: String
    /// TCP port; 6379 unless the URL says otherwise.
    public var port: Int
    /// One server, or a master found through Sentinel; with Sentinel, ``host`` and ``port`` are unused.
    public var topology: RedisTopology
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
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoff = reconnectBackoff
    }
}

extension RedisConfiguration: CustomStringConvertible {
    /// The configuration as a URL with the password masked, safe to log.
    public var description: String {
        var text = tls == nil ? "redis" : "rediss"
        text += sentinel == nil ? "://" : "+sentinel://"
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
        }
        if database != 0 {
            text += "/\(database)"
        }
        return text
    }
}
