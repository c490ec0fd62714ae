/// Process-wide settings from `config.yml` (one environment's section) and the environment variables.
public struct HeraldSettings: Sendable, Hashable {
    /// Address to listen on.
    public var host: String
    /// TCP port to listen on (`PORT`).
    public var port: Int
    /// Seconds a disconnected device's messages are kept; 0 keeps them forever (`DEVICE_TTL`).
    public var deviceTTL: Int
    /// Most messages one device queue holds (`device_queue_limit`); on overflow the oldest go and the device is told
    /// to `_resync`.
    public var maxQueueLength: Int
    /// The Redis to run on (`redis:`, `REDIS_URL`); nil runs on the in-memory store.
    public var redis: RedisDeployment?
    /// Replicas that must acknowledge each stored message (`redis.waitReplicas`); nil waits for none.
    public var redisReplicaWait: RedisReplicaWaitSettings?
    /// Flake ID datacenter number, 0–31.
    public var flakeDatacenter: Int
    /// Flake ID worker number, 0–31.
    public var flakeWorker: Int
    /// Engine.IO settings (`io:`).
    public var io: IOSettings
    /// Timeout of each `authUrl` / `updateUserUrl` call.
    public var hookTimeout: Duration
    /// Largest accepted `POST /send` body, in bytes.
    public var maxSendBodyBytes: Int
    /// How often an instance refreshes its liveness key in Redis (`cluster.heartbeat`).
    public var heartbeatInterval: Duration
    /// How long an instance without heartbeat counts as alive (`cluster.instanceTimeout`); after that its clients
    /// count as disconnected.
    public var instanceTimeout: Duration
    /// Key of the admin API and page (`admin.key`); nil leaves `/admin` unrouted (404).
    public var adminKey: String?
    /// Most bytes each buffer between this instance and Redis holds (`cluster.maxBufferBytes`): messages for other
    /// instances not yet acknowledged by Redis, and `herald:send` messages waiting to be sent. Beyond it messages are
    /// dropped and counted (`herald_redis_dropped_messages_total`).
    public var clusterMaxBufferBytes: Int = 32 << 20
    /// Where the other instances reach this one to forward polling requests for its sessions (`cluster.advertise`,
    /// `host:port`); nil derives it from the listen address and the bound port.
    public var clusterAdvertise: String?
    /// The secret instances sign forwarded requests with (`cluster.secret`); nil leaves forwarding off, so a client
    /// needs sticky sessions for long-polling.
    public var clusterSecret: String?
    /// Most requests this instance forwards to other instances at once (`cluster.maxForwards`).
    public var clusterMaxForwards: Int = 1_000
    /// The event-server drop-in (`eventServer:`); nil leaves it off (`POST /event` and `/events` answer 404).
    public var eventServer: EventServerSettings?
    /// Native TLS on the main port (`tls:`); nil serves plain HTTP (TLS ends at a proxy, or nowhere).
    public var tls: TLSSettings?
    /// `trustedProxies`, the global `allowFrom` / `denyFrom` and the default `maxAuthAttemptsPerMinute`.
    public var connectionPolicy = ConnectionPolicySettings()

    /// Creates settings; the defaults are the Node service's (port 1337, offline devices kept 3600 s).
    public init(
        host: String = "0.0.0.0",
        port: Int = 1337,
        deviceTTL: Int = 3600,
        maxQueueLength: Int = 1_000,
        redis: RedisDeployment? = nil,
        flakeDatacenter: Int = 0,
        flakeWorker: Int = 0,
        io: IOSettings = IOSettings(),
        hookTimeout: Duration = .seconds(5),
        maxSendBodyBytes: Int = 1 << 20,
        heartbeatInterval: Duration = .seconds(3),
        instanceTimeout: Duration = .seconds(10),
        adminKey: String? = nil
    ) {
        self.host = host
        self.port = port
        self.deviceTTL = deviceTTL
        self.maxQueueLength = maxQueueLength
        self.redis = redis
        self.flakeDatacenter = flakeDatacenter
        self.flakeWorker = flakeWorker
        self.io = io
        self.hookTimeout = hookTimeout
        self.maxSendBodyBytes = maxSendBodyBytes
        self.heartbeatInterval = heartbeatInterval
        self.instanceTimeout = instanceTimeout
        self.adminKey = adminKey
    }
}

/// The `io:` section: Engine.IO transport settings.
public struct IOSettings: Sendable, Hashable {
    /// Milliseconds between heartbeats.
    public var pingInterval: Int
    /// Milliseconds to wait for a heartbeat answer.
    public var pingTimeout: Int
    /// Largest message or polling body, in bytes.
    public var maxPayload: Int
    /// Origins allowed to use polling from a browser; empty allows any origin.
    public var corsOrigins: [String]
    /// New Engine.IO sessions this instance opens per second (`maxConnectionsPerSecond`); handshakes beyond it are
    /// answered 503 with `Retry-After`. nil: no limit.
    public var maxConnectionsPerSecond: Int?
    /// Handshakes let through at once after a quiet period (`connectionBurst`); nil: `maxConnectionsPerSecond`.
    public var connectionBurst: Int?
    /// Milliseconds a new connection may take to send a complete request head, and a request body may go without a
    /// byte (`requestHeaderTimeout`); the connection is closed after that.
    public var requestHeaderTimeout: Int
    /// Milliseconds a keep-alive connection may sit without a request (`idleConnectionTimeout`).
    public var idleConnectionTimeout: Int
    /// Milliseconds a client has, once connected, to join its site (`connectTimeout`): a Socket.IO client its
    /// namespace, a plain WebSocket client without a `token` parameter to send its credentials.
    public var connectTimeout: Int

    /// Creates the section with socket.io's defaults.
    public init(
        pingInterval: Int = 25_000,
        pingTimeout: Int = 20_000,
        maxPayload: Int = 1_000_000,
        corsOrigins: [String] = [],
        maxConnectionsPerSecond: Int? = nil,
        connectionBurst: Int? = nil,
        requestHeaderTimeout: Int = 10_000,
        idleConnectionTimeout: Int = 60_000,
        connectTimeout: Int = 45_000
    ) {
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.maxPayload = maxPayload
        self.corsOrigins = corsOrigins
        self.maxConnectionsPerSecond = maxConnectionsPerSecond
        self.connectionBurst = connectionBurst
        self.requestHeaderTimeout = requestHeaderTimeout
        self.idleConnectionTimeout = idleConnectionTimeout
        self.connectTimeout = connectTimeout
    }
}
