public import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Sharded pub/sub on a Redis Cluster: each channel is `SSUBSCRIBE`d on the master serving its slot, one
/// subscriber connection per master, and follows the slot when it moves.
///
/// A channel's messages stay within its shard (`SPUBLISH`, see ``RedisClient/spublish(_:_:)``), so pub/sub traffic
/// spreads over the cluster instead of reaching every node as `PUBLISH` does. Put a hash tag in channel names that
/// belong with keys (`herald:{site}:bc`) to keep them on the keys' shard.
///
/// Gaps: when a channel's master is lost, or its slot moves (the server then sends `sunsubscribe` by itself), the
/// subscriber reads the map again through the client and subscribes on the new owner; messages published meanwhile
/// are gone, so `onResubscribed` runs once the channel is subscribed again, as ``RedisSubscriber`` does after a
/// reconnect, and the owner catches up from what Redis keeps.
///
/// Ownership: the placements sit in a lock, read by the connections' push handlers on their event loop.
public final class RedisShardedSubscriber: Sendable {
    private struct Node {
        let connection: RedisConnection
        var sessions = 0
    }

    private struct State {
        var channels = Set<String>()
        /// Where each channel is subscribed (or being subscribed); a channel absent here waits for a placement.
        var placement: [String: RedisNodeAddress] = [:]
        var nodes: [RedisNodeAddress: Node] = [:]
        /// Channels that lost their subscription (slot moved, subscribe refused) and wait to be placed again: their
        /// next placement is a gap to report.
        var displaced = Set<String>()
        /// Channels whose `SUNSUBSCRIBE` this subscriber sent: the `sunsubscribe` that follows is its reply.
        var leaving = Set<String>()
        var isClosed = false
    }

    private let router: ClusterRouter
    private let logger: Logger
    private let onResubscribed: @Sendable () -> Void
    private let onMessage: @Sendable (RedisPubSubMessage) -> Void
    private let state = NIOLockedValueBox(State())

    /// Creates the subscriber on the cluster `client` talks to, following its slot map.
    ///
    /// - Parameters:
    ///   - onResubscribed: runs each time a channel was subscribed again after a gap (its master lost or its slot
    ///     moved): messages published meanwhile were missed.
    ///   - onMessage: runs for every message, on a connection's event loop; must return quickly.
    /// - Throws: ``RedisError/invalidConfiguration(_:)`` when `client` is not in cluster mode.
    public init(
        client: RedisClient,
        logger: Logger = Logger(label: "herald.redis.sharded-pubsub"),
        onResubscribed: @escaping @Sendable () -> Void = {},
        onMessage: @escaping @Sendable (RedisPubSubMessage) -> Void
    ) throws(RedisError) {
        guard let router = client.clusterRouter else {
            throw RedisError.invalidConfiguration("sharded pub/sub needs a Redis Cluster (redis+cluster://)")
        }
        self.router = router
        self.logger = logger
        self.onResubscribed = onResubscribed
        self.onMessage = onMessage
        router.onMapRead { [weak self] in self?.place() }
    }

    /// Waits until the cluster's slot map is loaded and its masters connected, like ``RedisClient/waitUntilConnected(timeout:)``.
    public func waitUntilConnected(timeout: Duration) async throws(RedisError) {
        try await router.waitUntilConnected(timeout: timeout)
    }

    /// Subscribes to `names` (each on its shard's master) and returns once every master confirmed.
    ///
    /// The channels are remembered: subscribed again on a new master after a failover or a slot migration.
    ///
    /// - Throws: ``RedisError/unavailable`` when a shard's master is unreachable right now; that channel is subscribed
    ///   as soon as the master (or its replacement) is back.
    public func subscribe(_ names: [String]) async throws(RedisError) {
        state.withLockedValue { $0.channels.formUnion(names) }
        try await Self.confirm(place())
        // A connection opened just now subscribes its channels when it is ready; a PING behind them confirms them.
        let connections = state.withLockedValue { state in
            Set(names.compactMap { state.placement[$0] }).compactMap { state.nodes[$0]?.connection }
        }
        for connection in connections {
            do {
                try await connection.waitUntilConnected(timeout: router.configuration.connectTimeout)
            } catch .timedOut {
                throw RedisError.unavailable
            }
            try await Self.confirm([connection.submit([RedisCommand("PING")])])
        }
    }

    /// Unsubscribes from `names`; no more of their messages are delivered once it returns.
    public func unsubscribe(_ names: [String]) async throws(RedisError) {
        let requests: [EventLoopFuture<[RedisValue]>] = state.withLockedValue { state in
            var requests: [EventLoopFuture<[RedisValue]>] = []
            for name in names where state.channels.remove(name) != nil {
                state.displaced.remove(name)
                guard let node = state.placement.removeValue(forKey: name), let connection = state.nodes[node]?.connection,
                    let channel = try? connection.channel()
                else {
                    continue
                }
                state.leaving.insert(name)
                let replies = channel.eventLoop.makePromise(of: [RedisValue].self)
                RedisConnection.write(RedisRequest(commands: [RedisCommand("SUNSUBSCRIBE", [name])], promise: replies), to: channel)
                requests.append(replies.futureResult)
            }
            return requests
        }
        for request in requests {
            _ = try? await request.get()
        }
        retireIdleNodes()
    }

    /// Closes every connection.
    public func close() async {
        let connections = state.withLockedValue { state in
            state.isClosed = true
            defer { state.nodes = [:] }
            return state.nodes.values.map(\.connection)
        }
        for connection in connections {
            try? await connection.close().get()
        }
    }

    // MARK: Placement

    /// Subscribes every channel that is not subscribed on its slot's master (new, or its master changed), returning
    /// the pending confirmations.
    @discardableResult
    private func place() -> [EventLoopFuture<[RedisValue]>] {
        let (requests, moved) = state.withLockedValue { state -> ([(String, EventLoopFuture<[RedisValue]>)], Bool) in
            guard !state.isClosed else { return ([], false) }
            var requests: [(String, EventLoopFuture<[RedisValue]>)] = []
            var moved = false
            for channel in state.channels.sorted() {
                guard let owner = router.master(of: ClusterSlot(key: channel)) else {
                    continue
                }
                if let current = state.placement[channel] {
                    guard current != owner else { continue }
                    moved = true
                }
                if state.displaced.remove(channel) != nil {
                    moved = true
                }
                state.placement[channel] = owner
                guard let live = try? node(owner, in: &state)?.channel() else {
                    continue
                }
                requests.append((channel, Self.ssubscribe(channel, on: live)))
            }
            return (requests, moved)
        }
        for (channel, request) in requests {
            request.whenComplete { [weak self] result in
                if case .success(let replies) = result, replies.first?.errorMessage == nil {
                    return
                }
                self?.unplace(channel)
            }
        }
        if moved {
            let all = requests.map(\.1)
            let notify = onResubscribed
            EventLoopFuture.andAllSucceed(all.map { $0.map { _ in } }, on: router.eventLoop).whenSuccess { notify() }
        }
        retireIdleNodes()
        return requests.map(\.1)
    }

    /// Forgets where `channel` is subscribed (the server dropped it or refused it) and reads the map again, whose
    /// arrival places it anew.
    private func unplace(_ channel: String) {
        state.withLockedValue { state in
            if state.placement.removeValue(forKey: channel) != nil, state.channels.contains(channel) {
                state.displaced.insert(channel)
            }
        }
        router.refreshMap()
    }

    private func retireIdleNodes() {
        let idle = state.withLockedValue { state in
            let used = Set(state.placement.values)
            let idle = state.nodes.filter { !used.contains($0.key) }
            for node in idle.keys { state.nodes[node] = nil }
            return idle.values.map(\.connection)
        }
        for connection in idle {
            _ = connection.close()
        }
    }

    /// The subscriber connection to `address`, opened now when there is none yet; `nil` (logged) when the TLS
    /// settings, which loaded when the client was made, no longer do.
    private func node(_ address: RedisNodeAddress, in state: inout State) -> RedisConnection? {
        if let existing = state.nodes[address] {
            return existing.connection
        }
        let hooks = RedisConnection.Hooks(
            onPush: { [weak self] value in self?.receive(value, from: address) ?? false },
            sessionReady: { [weak self] channel in self?.resubscribe(address, on: channel) }
        )
        let connection: RedisConnection
        do {
            connection = try RedisConnection(
                configuration: router.configuration.node(address),
                eventLoop: router.eventLoop,
                logger: logger,
                hooks: hooks
            )
        } catch {
            logger.error("cannot open a subscriber connection", metadata: ["node": "\(address)", "reason": "\(error)"])
            return nil
        }
        state.nodes[address] = Node(connection: connection)
        connection.start()
        Task { [weak self] in
            for await change in connection.stateChanges() {
                if case .disconnected = change {
                    self?.router.refreshMap()
                }
            }
        }
        return connection
    }

    /// After (re)connecting to `address`: subscribes the channels placed there, and reports a gap after a reconnect.
    private func resubscribe(_ address: RedisNodeAddress, on channel: any Channel) {
        let (names, isReconnect) = state.withLockedValue { state -> ([String], Bool) in
            state.nodes[address]?.sessions += 1
            let names = state.placement.filter { $0.value == address }.map(\.key).sorted()
            return (names, (state.nodes[address]?.sessions ?? 0) > 1)
        }
        let requests = names.map { Self.ssubscribe($0, on: channel) }
        for (name, request) in zip(names, requests) {
            request.whenComplete { [weak self] result in
                if case .success(let replies) = result, replies.first?.errorMessage == nil {
                    return
                }
                self?.unplace(name)
            }
        }
        if isReconnect, !names.isEmpty {
            let notify = onResubscribed
            EventLoopFuture.andAllSucceed(requests.map { $0.map { _ in } }, on: channel.eventLoop).whenSuccess { notify() }
        }
    }

    /// Handles a push from `address`'s connection: a message, or a `sunsubscribe` the server sent by itself because
    /// the channel's slot moved; `false` for replies to commands.
    private func receive(_ value: RedisValue, from address: RedisNodeAddress) -> Bool {
        if let message = RedisPubSubMessage(push: value) {
            onMessage(message)
            return true
        }
        guard let parts = value.array, parts.count == 3, parts[0].string == "sunsubscribe", let channel = parts[1].string
        else {
            return false
        }
        let isReply = state.withLockedValue { $0.leaving.remove(channel) != nil }
        guard !isReply else {
            return false
        }
        logger.info("sharded channel moved", metadata: ["channel": "\(channel)", "from": "\(address)"])
        unplace(channel)
        return true
    }

    private static func ssubscribe(_ name: String, on channel: any Channel) -> EventLoopFuture<[RedisValue]> {
        let replies = channel.eventLoop.makePromise(of: [RedisValue].self)
        RedisConnection.write(RedisRequest(commands: [RedisCommand("SSUBSCRIBE", [name])], promise: replies), to: channel)
        return replies.futureResult
    }

    private static func confirm(_ requests: [EventLoopFuture<[RedisValue]>]) async throws(RedisError) {
        for request in requests {
            let replies: [RedisValue]
            do {
                replies = try await request.get()
            } catch {
                throw RedisConnection.redisError(error)
            }
            if let message = replies.first?.errorMessage ?? replies.first?.array?.first?.errorMessage {
                throw RedisError.server(message)
            }
        }
    }
}
