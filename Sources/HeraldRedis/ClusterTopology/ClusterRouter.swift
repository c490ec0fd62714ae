import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Sends commands to a Redis Cluster: keeps the slot map, one ``RedisConnection`` per master (opened lazily, each
/// reopening itself as for a single server), routes each command by its key and follows the cluster's redirects.
///
/// Routing: a pipeline is cut into ``ClusterPipelinePlan`` units, the units for one node leave in one write, and
/// the replies are put back in the pipeline's order. A keyless pipeline goes to the first connected master, always
/// the same while the map holds, so `PUBLISH`es submitted one after the other stay in order.
///
/// Redirects: `MOVED` updates the slot, asks for a fresh map and resends to the new owner; `ASK` resends once to the
/// importing node behind `ASKING`; `TRYAGAIN` and `CLUSTERDOWN` resend after a short pause. At most
/// ``maxRedirects`` redirects, and nothing past ``RedisConfiguration/commandTimeout``: past them the error reply is
/// returned as it came.
///
/// The map is read (`CLUSTER SHARDS`, else `CLUSTER SLOTS`) at start, after a `MOVED`, when a master's connection
/// fails, and every ``RedisConfiguration/clusterRefreshInterval`` (every ``degradedRefreshInterval`` while a master
/// is unreachable), so a replica promoted after its master died is found without a new client. Meanwhile the dead
/// master's slots fail at once with ``RedisError/unavailable``; the others keep working.
///
/// Ownership: the state sits in a lock, read by callers on any thread; every connection runs on ``eventLoop``, so
/// every reply completes there.
final class ClusterRouter: Sendable {
    /// Most redirects followed for one command.
    static let maxRedirects = 5
    /// How often the map is read while a master serving a slot is unreachable.
    static let degradedRefreshInterval: Duration = .milliseconds(250)

    enum Refresh {
        case idle
        case running(again: Bool)
    }

    struct State {
        var map: ClusterSlotMap?
        var connections: [RedisNodeAddress: RedisConnection] = [:]
        var health = ClusterHealth()
        var refresh = Refresh.idle
        var timer: Scheduled<Void>?
        var isClosed = false
        var mapFailure: String?
        var listeners: [@Sendable () -> Void] = []
    }

    let configuration: RedisConfiguration
    let eventLoop: any EventLoop
    let seeds: [RedisNodeAddress]
    let logger: Logger
    let state = NIOLockedValueBox(State())

    /// - Throws: ``RedisError/invalidConfiguration(_:)`` when the TLS settings cannot be loaded.
    init(configuration: RedisConfiguration, eventLoop: any EventLoop, logger: Logger) throws(RedisError) {
        _ = try RedisConnection(
            configuration: configuration.node(RedisNodeAddress(host: configuration.host, port: configuration.port)),
            eventLoop: eventLoop,
            logger: logger
        )
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        switch configuration.topology {
        case .cluster(let seeds): self.seeds = seeds
        case .standalone, .sentinel: self.seeds = [RedisNodeAddress(host: configuration.host, port: configuration.port)]
        }
    }

    func start() {
        refreshMap()
    }

    var currentState: RedisConnectionState {
        state.withLockedValue { $0.health.visible }
    }

    /// The master serving `slot` in the current map.
    func master(of slot: ClusterSlot) -> RedisNodeAddress? {
        state.withLockedValue { $0.map?.master(of: slot) }
    }

    /// Runs `listener` after each read of the map (on any thread), for subscribers that follow slot owners.
    func onMapRead(_ listener: @escaping @Sendable () -> Void) {
        state.withLockedValue { $0.listeners.append(listener) }
    }

    // MARK: Sending

    func submit(_ commands: [RedisCommand], expectedReplies: Int?) -> EventLoopFuture<[RedisValue]> {
        let deadline = NIODeadline.now() + TimeAmount(configuration.commandTimeout)
        let plan = ClusterPipelinePlan(commands)
        let routed: Result<[(node: RedisNodeAddress, connection: RedisConnection, units: [Int])], RedisError> =
            state.withLockedValue { state in
                guard !state.isClosed else {
                    return .failure(.closed)
                }
                guard let map = state.map else {
                    return .failure(.unavailable)
                }
                var groups: [(node: RedisNodeAddress, connection: RedisConnection, units: [Int])] = []
                for (index, unit) in plan.units.enumerated() {
                    let node = if let slot = unit.slot { map.master(of: slot) } else { Self.anyNode(state) }
                    guard let node else {
                        return .failure(.unavailable)
                    }
                    if let group = groups.firstIndex(where: { $0.node == node }) {
                        groups[group].units.append(index)
                    } else {
                        guard let connection = connection(for: node, in: &state) else {
                            return .failure(.unavailable)
                        }
                        groups.append((node, connection, [index]))
                    }
                }
                return .success(groups)
            }
        let groups: [(node: RedisNodeAddress, connection: RedisConnection, units: [Int])]
        switch routed {
        case .success(let routes): groups = routes
        case .failure(let error): return eventLoop.makeFailedFuture(error)
        }
        var unitReplies = [EventLoopFuture<[RedisValue]>?](repeating: nil, count: plan.units.count)
        for group in groups {
            let batch = group.units.flatMap { commands[plan.units[$0].range] }
            let replies = group.connection.submit(batch, expectedReplies: nil)
            var offset = 0
            for index in group.units {
                let unit = plan.units[index]
                let slice = offset..<offset + unit.range.count
                offset += unit.range.count
                let unitCommands = Array(commands[unit.range])
                unitReplies[index] = replies.flatMap { all in
                    self.followRedirects(
                        unitCommands,
                        replies: Array(all[slice]),
                        origin: group.node,
                        slot: unit.slot,
                        attempt: Attempt(deadline: deadline)
                    )
                }
            }
        }
        let spansNodes = groups.count > 1
        return EventLoopFuture.whenAllComplete(unitReplies.compactMap { $0 }, on: eventLoop).flatMapThrowing { results in
            try plan.replies(from: results, spansNodes: spansNodes)
        }
    }

    /// How many times one unit was sent again, and until when it may be.
    struct Attempt {
        var deadline: NIODeadline
        var redirects = 0
        var pauses = 0
    }

    func followRedirects(
        _ commands: [RedisCommand],
        replies: [RedisValue],
        origin: RedisNodeAddress,
        slot: ClusterSlot?,
        attempt: Attempt
    ) -> EventLoopFuture<[RedisValue]> {
        let redirect = replies.lazy.compactMap(\.errorMessage).compactMap { ClusterRedirect(errorMessage: $0, origin: origin) }.first
        guard let redirect else {
            return eventLoop.makeSucceededFuture(replies)
        }
        var advanced = attempt
        switch redirect {
        case .moved(let movedSlot, let node), .ask(let movedSlot, let node):
            guard attempt.redirects < Self.maxRedirects else {
                return eventLoop.makeSucceededFuture(replies)
            }
            advanced.redirects += 1
            let next = advanced
            var asking = true
            if case .moved = redirect {
                asking = false
                noteMoved(movedSlot, to: node)
            }
            return send(commands, to: node, asking: asking, deadline: attempt.deadline).flatMap { replies in
                self.followRedirects(commands, replies: replies, origin: node, slot: slot, attempt: next)
            }
        case .retryLater:
            advanced.pauses += 1
            let next = advanced
            let pause = TimeAmount.milliseconds(Int64(min(20 * next.pauses, 200)))
            guard NIODeadline.now() + pause < attempt.deadline else {
                return eventLoop.makeSucceededFuture(replies)
            }
            return eventLoop.scheduleTask(in: pause) {}.futureResult.flatMap {
                let node = slot.flatMap(self.master(of:)) ?? origin
                return self.send(commands, to: node, asking: false, deadline: attempt.deadline).flatMap { replies in
                    self.followRedirects(commands, replies: replies, origin: node, slot: slot, attempt: next)
                }
            }
        }
    }

    /// Sends `commands` to `node` (behind `ASKING` when `asking`), waiting for its connection until `deadline` when
    /// it is not up yet: a redirect may name a node the client has not connected to.
    func send(
        _ commands: [RedisCommand],
        to node: RedisNodeAddress,
        asking: Bool,
        deadline: NIODeadline
    ) -> EventLoopFuture<[RedisValue]> {
        let opened: Result<RedisConnection, RedisError> = state.withLockedValue { state in
            guard !state.isClosed else {
                return .failure(.closed)
            }
            return self.connection(for: node, in: &state).map { .success($0) } ?? .failure(.unavailable)
        }
        let connection: RedisConnection
        switch opened {
        case .success(let open): connection = open
        case .failure(let error): return eventLoop.makeFailedFuture(error)
        }
        let batch = asking ? [RedisCommand("ASKING")] + commands : commands
        let write = { @Sendable () -> EventLoopFuture<[RedisValue]> in
            connection.submit(batch, expectedReplies: nil).map { asking ? Array($0.dropFirst()) : $0 }
        }
        if connection.currentState == .connected {
            return write()
        }
        let connected = eventLoop.makePromise(of: Void.self)
        let remaining = Duration.nanoseconds(max(0, (deadline - .now()).nanoseconds))
        connected.completeWithTask { try await connection.waitUntilConnected(timeout: remaining) }
        return connected.futureResult.flatMap { write() }
    }

    static func anyNode(_ state: State) -> RedisNodeAddress? {
        let masters = state.map?.servingMasters ?? []
        return masters.first { state.connections[$0]?.currentState == .connected } ?? masters.first
    }

    func noteMoved(_ slot: ClusterSlot, to node: RedisNodeAddress) {
        state.withLockedValue { state in
            state.map?.assign(slot.number...slot.number, to: node)
            _ = connection(for: node, in: &state)
        }
        refreshMap()
    }

    /// The connection to `node`, opened now when there is none yet; `nil` when its TLS settings no longer load.
    func connection(for node: RedisNodeAddress, in state: inout State) -> RedisConnection? {
        if let existing = state.connections[node] {
            return existing
        }
        guard let connection = makeConnection(to: node) else {
            return nil
        }
        state.connections[node] = connection
        connection.start()
        Task { [weak self] in
            for await change in connection.stateChanges() {
                self?.connectionChanged(node, to: change)
            }
        }
        return connection
    }

    /// A connection to `node`, not started; `nil` (logged) when the TLS settings, which loaded at start, no longer do
    /// (a CA file removed meanwhile).
    func makeConnection(to node: RedisNodeAddress) -> RedisConnection? {
        do {
            return try RedisConnection(configuration: configuration.node(node), eventLoop: eventLoop, logger: logger)
        } catch {
            logger.error("cannot open a connection to a cluster node", metadata: ["node": "\(node)", "reason": "\(error)"])
            return nil
        }
    }

    func connectionChanged(_ node: RedisNodeAddress, to change: RedisConnectionState) {
        let isServing = state.withLockedValue { state in
            updateHealth(&state)
            return state.map?.servingMasters.contains(node) ?? false
        }
        if isServing, case .disconnected = change {
            refreshMap()
        }
    }

    /// Shows the state the map and the masters' connections make now.
    func updateHealth(_ state: inout State) {
        let next: RedisConnectionState
        if let map = state.map {
            next = Self.health(map: map, connections: state.connections, showing: state.health.visible)
        } else if let failure = state.mapFailure {
            next = .disconnected(reason: failure)
        } else {
            next = .connecting
        }
        for waiter in state.health.show(next) {
            waiter.succeed()
        }
    }

    static func health(
        map: ClusterSlotMap,
        connections: [RedisNodeAddress: RedisConnection],
        showing visible: RedisConnectionState
    ) -> RedisConnectionState {
        guard map.coversEverySlot else {
            return .disconnected(reason: "some cluster slots have no master")
        }
        for master in map.servingMasters {
            switch connections[master]?.currentState {
            case .connected?: continue
            case .disconnected(let reason)?: return .disconnected(reason: "master \(master): \(reason)")
            case .connecting?, .closed?, nil:
                return visible == .connecting ? .connecting : .disconnected(reason: "connecting to master \(master)")
            }
        }
        return .connected
    }
}

extension ClusterRouter: RedisCommandTransport {}
