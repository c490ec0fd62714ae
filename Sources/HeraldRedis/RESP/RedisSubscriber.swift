public import Logging
public import NIOCore
public import NIOPosix

/// Receives messages published on Redis channels, on a connection of its own (a subscribed connection can send
/// nothing but subscription commands), and keeps its subscriptions across reconnects.
///
/// Ownership: the set of subscribed channels lives on the connection's event loop. Subscribing, unsubscribing
/// and resubscribing after a reconnect all run there, so a subscription made while the connection comes back
/// is neither lost nor sent twice to a connection that has not been announced yet.
///
/// Cluster: with a Redis Cluster configuration it subscribes to plain channels on one seed node (every node forwards
/// a `PUBLISH` to all others) and moves to the next seed when that node is lost; sharded channels need
/// ``RedisShardedSubscriber``.
///
/// Liveness: an idle subscriber sends `PING` every `pingInterval`; a connection that stops answering within
/// ``RedisConfiguration/commandTimeout`` is reopened, so a silently dead link does not swallow messages forever.
public final class RedisSubscriber: Sendable {
    private let connection: RedisConnection
    private let channels: NIOLoopBoundBox<Set<String>>
    private let pinger: RepeatedTask

    /// Creates the subscriber and starts connecting in the background.
    ///
    /// - Parameters:
    ///   - onResubscribed: called on the connection's event loop each time the connection came back after it was
    ///     lost and the subscriptions were sent again (messages published meanwhile were not received).
    ///   - onMessage: called on the connection's event loop for every message, in the order Redis sent them; it
    ///     must return quickly (hand heavy work to another task).
    /// - Throws: ``RedisError/invalidConfiguration(_:)`` when the TLS settings cannot be loaded.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "herald.redis.pubsub"),
        pingInterval: Duration = .seconds(10),
        onResubscribed: @escaping @Sendable () -> Void = {},
        onMessage: @escaping @Sendable (RedisPubSubMessage) -> Void
    ) throws(RedisError) {
        let eventLoop = eventLoopGroup.next()
        let channels = NIOLoopBoundBox.makeBoxSendingValue(Set<String>(), eventLoop: eventLoop)
        let sessions = NIOLoopBoundBox.makeBoxSendingValue(0, eventLoop: eventLoop)
        let hooks = RedisConnection.Hooks(
            onPush: { value in
                guard let message = RedisPubSubMessage(push: value) else {
                    return false
                }
                onMessage(message)
                return true
            },
            sessionReady: { channel in
                sessions.value += 1
                let names = channels.value.sorted()
                if !names.isEmpty {
                    let replies = channel.eventLoop.makePromise(of: [RedisValue].self)
                    replies.futureResult.whenFailure { error in
                        logger.warning("Redis resubscribe failed", metadata: ["reason": "\(error)"])
                    }
                    let request = RedisRequest(
                        commands: [RedisCommand("SUBSCRIBE", names)],
                        expectedReplies: names.count,
                        promise: replies
                    )
                    RedisConnection.write(request, to: channel)
                }
                if sessions.value > 1 {
                    onResubscribed()
                }
            }
        )
        let connection = try RedisConnection(configuration: configuration, eventLoop: eventLoop, logger: logger, hooks: hooks)
        self.connection = connection
        self.channels = channels
        let interval = TimeAmount(pingInterval)
        pinger = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            guard let channel = try? connection.channel() else {
                return
            }
            let replies = channel.eventLoop.makePromise(of: [RedisValue].self)
            RedisConnection.write(RedisRequest(commands: [RedisCommand("PING")], promise: replies), to: channel)
        }
        connection.start()
    }

    deinit {
        pinger.cancel()
        _ = connection.close()
    }

    /// Whether the subscriber is connected (and its subscriptions sent).
    public var isConnected: Bool {
        connection.currentState == .connected
    }

    /// The connection's state now.
    public var state: RedisConnectionState {
        connection.currentState
    }

    /// The current state, then every change; see ``RedisClient/stateChanges()``.
    public func stateChanges() -> AsyncStream<RedisConnectionState> {
        connection.stateChanges()
    }

    /// Waits until the subscriber is connected.
    ///
    /// - Throws: ``RedisError/timedOut`` when `timeout` passes first, ``RedisError/closed`` after ``close()``.
    public func waitUntilConnected(timeout: Duration) async throws(RedisError) {
        try await connection.waitUntilConnected(timeout: timeout)
    }

    /// Subscribes to `names` and returns once Redis confirmed; messages published after that are delivered.
    ///
    /// The channels are remembered and subscribed again after every reconnect.
    ///
    /// - Throws: ``RedisError/unavailable`` when disconnected right now; the channels are subscribed as soon
    ///   as the connection is back.
    public func subscribe(_ names: [String]) async throws(RedisError) {
        try await change("SUBSCRIBE", Self.unique(names), requiresConnection: true) { $0.formUnion($1) }
    }

    /// Unsubscribes from `names`; no more messages of those channels are delivered once it returns, also
    /// after a reconnect. Succeeds while disconnected, since there is nothing to undo then.
    public func unsubscribe(_ names: [String]) async throws(RedisError) {
        try await change("UNSUBSCRIBE", Self.unique(names), requiresConnection: false) { $0.subtract($1) }
    }

    /// Closes the connection and stops reconnecting.
    public func close() async {
        pinger.cancel()
        try? await connection.close().get()
    }

    private func change(
        _ commandName: String,
        _ names: [String],
        requiresConnection: Bool,
        _ update: @escaping @Sendable (inout Set<String>, [String]) -> Void
    ) async throws(RedisError) {
        guard !names.isEmpty else {
            return
        }
        let eventLoop = connection.eventLoop
        let future = eventLoop.flatSubmit { () -> EventLoopFuture<[RedisValue]> in
            update(&self.channels.value, names)
            let channel: any Channel
            do throws(RedisError) {
                channel = try self.connection.channel()
            } catch {
                let unneeded = error == .unavailable && !requiresConnection
                return unneeded ? eventLoop.makeSucceededFuture([]) : eventLoop.makeFailedFuture(error)
            }
            let replies = eventLoop.makePromise(of: [RedisValue].self)
            let request = RedisRequest(commands: [RedisCommand(commandName, names)], expectedReplies: names.count, promise: replies)
            RedisConnection.write(request, to: channel)
            return replies.futureResult
        }
        let replies: [RedisValue]
        do {
            replies = try await future.get()
        } catch {
            throw RedisConnection.redisError(error)
        }
        if let message = replies.lazy.compactMap(\.errorMessage).first {
            throw RedisError.server(message)
        }
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
