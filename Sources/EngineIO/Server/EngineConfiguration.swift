public import NIOCore

/// Settings of an Engine.IO server; the defaults are those of the reference `engine.io` server.
public struct EngineConfiguration: Sendable {
    /// URL path the server answers on, with a trailing slash (`/socket.io/` for Socket.IO, `/engine.io/` bare).
    public var path: String
    /// How often the server pings (v4) or expects the client's ping (v3).
    public var pingInterval: TimeAmount
    /// How long the server waits for the pong (v4) or, added to `pingInterval`, for the next ping (v3).
    public var pingTimeout: TimeAmount
    /// How long a WebSocket probe may wait for the client's `upgrade` packet.
    public var upgradeTimeout: TimeAmount
    /// Largest accepted polling body or WebSocket message, in bytes; advertised in the v4 handshake.
    public var maxPayload: Int
    /// Outbound bytes a connection may have queued before it counts as too slow and is closed.
    ///
    /// Bounds memory per connection: a client that cannot keep up is disconnected, never buffered without limit.
    public var maxOutboundBufferBytes: Int
    /// Most packets in one polling answer; the rest go out with the next GET.
    ///
    /// python-engineio clients refuse payloads of more than 16 packets, so that is the default.
    public var maxPacketsPerPoll: Int
    /// Which browser origins may use the polling transport.
    public var cors: CORSPolicy
    /// Transports a client may use.
    public var transports: Set<EngineTransportKind>
    /// Whether Engine.IO v3 clients (Socket.IO 1.x/2.x) are accepted; when false, a handshake without `EIO=4` is
    /// answered 400 "Unsupported protocol version".
    ///
    /// On by default, unlike the reference server's `allowEIO3`, because Herald serves Socket.IO 1.x/2.x clients.
    public var allowEIO3: Bool
    /// How long a new connection may take to send its first request head, and how long a request body may go
    /// without a byte; the connection is closed after that.
    ///
    /// Reclaims connections that never finish a request (slowloris). A request that has been read and waits for
    /// its answer (a long-polling GET) is never cut by it: sessions keep their own heartbeats.
    public var requestHeaderTimeout: TimeAmount
    /// How long a keep-alive connection may sit between two requests (the next request's head included) before it
    /// is closed.
    public var idleConnectionTimeout: TimeAmount

    /// Creates a configuration with the reference server's defaults.
    public init(
        path: String = "/socket.io/",
        pingInterval: TimeAmount = .milliseconds(25_000),
        pingTimeout: TimeAmount = .milliseconds(20_000),
        upgradeTimeout: TimeAmount = .milliseconds(10_000),
        maxPayload: Int = 1_000_000,
        maxOutboundBufferBytes: Int = 1 << 20,
        maxPacketsPerPoll: Int = 16,
        cors: CORSPolicy = .reflectAnyOrigin,
        transports: Set<EngineTransportKind> = [.polling, .websocket],
        allowEIO3: Bool = true,
        requestHeaderTimeout: TimeAmount = .seconds(10),
        idleConnectionTimeout: TimeAmount = .seconds(60)
    ) {
        self.path = path.hasSuffix("/") ? path : path + "/"
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.upgradeTimeout = upgradeTimeout
        self.maxPayload = maxPayload
        self.maxOutboundBufferBytes = maxOutboundBufferBytes
        self.maxPacketsPerPoll = maxPacketsPerPoll
        self.cors = cors
        self.transports = transports
        self.allowEIO3 = allowEIO3
        self.requestHeaderTimeout = requestHeaderTimeout
        self.idleConnectionTimeout = idleConnectionTimeout
    }
}

/// The two Engine.IO transports.
public enum EngineTransportKind: String, Sendable, Hashable {
    case polling
    case websocket
}
