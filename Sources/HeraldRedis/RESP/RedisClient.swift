public import CoreMetrics
public import Logging
public import NIOCore
public import NIOPosix

/// Herald's Redis client: one connection, many commands in flight on it (pipelined), reopened by itself; or, for a
/// Redis Cluster (``RedisConfiguration/topology``), one such connection per master with every command routed by its
/// key (see ``ClusterRouter``), the same API either way.
///
/// One connection rather than a pool: Redis executes commands one at a time, and a pipelined connection
/// already keeps it busy, so more sockets add memory and reconnect storms but not throughput for the O(1)
/// commands and short scripts Herald sends. One connection also keeps commands from one caller in order.
/// Blocking commands (`BLPOP`, `SUBSCRIBE`) would stall everyone else on it and must not be sent here;
/// pub/sub has ``RedisSubscriber``.
///
/// While Redis is unreachable, commands fail at once with ``RedisError/unavailable`` instead of queueing, so
/// Herald can answer 503 and memory stays bounded; the client keeps retrying in the background with
/// ``RedisConfiguration/reconnectBackoff`` and recovers without a new client object.
///
/// With Sentinel (``RedisTopology/sentinel(_:)``) the connection goes to the master the sentinels name, checked with
/// `ROLE`, and moves at once when they announce a new one (`+switch-master`); meanwhile commands fail with
/// ``RedisError/unavailable`` as during any outage.
///
/// Cancelling a caller's task does not withdraw a command already written; its reply (or
/// ``RedisError/timedOut``) still arrives within ``RedisConfiguration/commandTimeout``.
public final class RedisClient: Sendable {
    private let connection: any RedisCommandTransport
    private let metrics: RedisCommandMetrics

    /// Creates the client and starts connecting in the background; use ``waitUntilConnected(timeout:)`` when
    /// startup must wait for Redis. Command latency and errors go to metrics of `metricsFactory`.
    ///
    /// - Throws: ``RedisError/invalidConfiguration(_:)`` when the TLS settings cannot be loaded.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "herald.redis"),
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance
    ) throws(RedisError) {
        metrics = RedisCommandMetrics(factory: metricsFactory)
        if configuration.isCluster {
            connection = try ClusterRouter(configuration: configuration, eventLoop: eventLoopGroup.next(), logger: logger)
        } else {
            connection = try RedisConnection(configuration: configuration, eventLoop: eventLoopGroup.next(), logger: logger)
        }
        connection.start()
    }

    deinit {
        _ = connection.close()
    }

    /// The settings the client was made with.
    public var configuration: RedisConfiguration {
        connection.configuration
    }

    /// Whether the client talks to a Redis Cluster.
    public var isCluster: Bool {
        configuration.isCluster
    }

    /// Whether commands can be sent right now. For a cluster: the slot map is loaded and every master serving a slot
    /// is connected; while one is not, only the commands for its slots fail.
    public var isConnected: Bool {
        connection.currentState == .connected
    }

    /// The connection's state now; see ``stateChanges()`` to follow it.
    public var state: RedisConnectionState {
        connection.currentState
    }

    /// The current state, then every change: one `.disconnected` per outage and one `.connected` when it ends (for a
    /// cluster, an outage lasts while any master serving a slot is unreachable or the map cannot be read).
    /// The stream ends after ``close()``. Each call returns an independent stream.
    public func stateChanges() -> AsyncStream<RedisConnectionState> {
        connection.stateChanges()
    }

    /// Waits until the client is connected.
    ///
    /// - Throws: ``RedisError/timedOut`` when `timeout` passes first, ``RedisError/closed`` after ``close()``.
    public func waitUntilConnected(timeout: Duration) async throws(RedisError) {
        try await connection.waitUntilConnected(timeout: timeout)
    }

    /// Waits until the client is connected, at most `timeout`, but returns early when the task is cancelled or the
    /// client closed: for background loops (heartbeats, the lease) that must end promptly on shutdown even while
    /// Redis is away. Check ``isConnected`` afterwards.
    public func waitForConnection(atMost timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while !Task.isCancelled, state != .connected, state != .closed, ContinuousClock.now < deadline {
            try? await waitUntilConnected(timeout: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
    }

    /// Sends one command and returns its reply.
    ///
    /// - Throws: ``RedisError/server(_:)`` for an error reply; ``RedisError/unavailable`` at once while
    ///   disconnected; ``RedisError/timedOut`` after ``RedisConfiguration/commandTimeout``.
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisValue {
        try await metrics.measure(command.name.uppercased()) { () async throws(RedisError) -> RedisValue in
            let replies = try await connection.replies(to: [command])
            guard let reply = replies.first else {
                throw RedisError.protocolError("no reply to \(command.name)")
            }
            if case .error(let message) = reply {
                throw RedisError.server(message)
            }
            return reply
        }
    }

    /// Sends a command written as its parts, name first: `send(["SET", "key", "value"])`.
    public func send(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        try await send(RedisCommand(arguments))
    }

    /// Sends a command with binary arguments, name first.
    public func send(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisValue {
        try await send(RedisCommand(bytes: arguments))
    }

    /// Sends many commands in one write and returns their replies in the same order.
    ///
    /// The commands are not atomic (use `MULTI` or a ``RedisScript`` for that), so an error reply of one
    /// command is returned in its place as ``RedisValue/error(_:)`` and the others still count; only a
    /// connection failure throws. On a cluster a pipeline goes to each command's master (replies still in order);
    /// when some of those masters cannot be reached, their commands come back as `CLUSTERDOWN …` error replies and
    /// the others run, and only when none can be reached does it throw.
    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisValue] {
        guard !commands.isEmpty else {
            return []
        }
        return try await metrics.measure("PIPELINE") { () async throws(RedisError) -> [RedisValue] in
            try await connection.replies(to: commands)
        }
    }

    /// Sends many commands written as their parts, like the `RedisCommand` form.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisValue] {
        try await pipeline(commands.map(RedisCommand.init))
    }

    /// The event loop of the client's connection: replies complete there, and work done there is ordered with the
    /// connection's writes.
    var eventLoop: any EventLoop {
        connection.eventLoop
    }

    /// Writes `commands` in one write and returns the future of their replies at once, without waiting for them:
    /// the way to keep many requests in flight on the connection in a fixed order (call it from ``eventLoop``, or
    /// from one thread). Error replies come back in their place, like ``pipeline(_:)-([RedisCommand])``; the future
    /// fails at once while disconnected. Latency and errors count under `metricName`.
    func submit(_ commands: [RedisCommand], metricName: String) -> EventLoopFuture<[RedisValue]> {
        let started = ContinuousClock.now
        let metrics = self.metrics
        let replies = connection.submit(commands, expectedReplies: nil)
        replies.whenComplete { result in
            let failed = if case .failure = result { true } else { false }
            metrics.record(metricName, duration: ContinuousClock.now - started, failed: failed)
        }
        return replies
    }

    /// The router of a cluster client, `nil` for a single server.
    var clusterRouter: ClusterRouter? {
        connection as? ClusterRouter
    }

    /// Closes the connection and stops reconnecting. Commands fail with ``RedisError/closed`` afterwards.
    public func close() async {
        try? await connection.close().get()
    }
}
