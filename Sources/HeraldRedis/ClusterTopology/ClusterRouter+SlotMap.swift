import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Reading the slot map: at start, after a `MOVED`, when a master's connection drops, on a timer, and often while a
/// master is unreachable.
extension ClusterRouter {
    /// Reads the map now, or right after the read under way (several requests meanwhile make one more read).
    func refreshMap() {
        let starts = state.withLockedValue { state -> Bool in
            guard !state.isClosed else {
                return false
            }
            switch state.refresh {
            case .idle:
                state.refresh = .running(again: false)
                return true
            case .running:
                state.refresh = .running(again: true)
                return false
            }
        }
        if starts {
            Task { await self.readMapUntilSettled() }
        }
    }

    private func readMapUntilSettled() async {
        while true {
            await readMap()
            let again = state.withLockedValue { state -> Bool in
                if case .running(again: true) = state.refresh, !state.isClosed {
                    state.refresh = .running(again: false)
                    return true
                }
                state.refresh = .idle
                return false
            }
            if !again {
                break
            }
        }
        state.withLockedValue { state in
            guard !state.isClosed else {
                return
            }
            state.timer?.cancel()
            let interval = state.health.visible == .connected ? configuration.clusterRefreshInterval : Self.degradedRefreshInterval
            state.timer = eventLoop.scheduleTask(in: TimeAmount(interval)) { [weak self] in self?.refreshMap() }
        }
    }

    /// Asks the nodes in turn (connected masters first, then the other known nodes, then the seeds) until one answers
    /// with a map.
    private func readMap() async {
        let candidates: [(node: RedisNodeAddress, connection: RedisConnection?)] = state.withLockedValue { state in
            let known = (state.map?.nodes ?? []) + seeds
            var seen = Set<RedisNodeAddress>()
            let nodes = known.filter { seen.insert($0).inserted }
            let connected = nodes.filter { state.connections[$0]?.currentState == .connected }
            let others = nodes.filter { state.connections[$0] == nil }
            return connected.map { ($0, state.connections[$0]) } + others.map { ($0, nil) }
        }
        var failure = "no cluster node could be reached"
        for candidate in candidates {
            guard let connection = candidate.connection ?? makeConnection(to: candidate.node) else {
                continue
            }
            if candidate.connection == nil {
                connection.start()
                try? await connection.waitUntilConnected(timeout: min(configuration.connectTimeout, .seconds(1)))
            }
            do {
                if let map = try await ClusterSlotMap.read(through: connection, origin: candidate.node, tls: configuration.tls != nil) {
                    apply(map)
                    if candidate.connection == nil {
                        _ = connection.close()
                    }
                    return
                }
                failure = "\(candidate.node) answered no slot map"
            } catch {
                failure = "\(candidate.node): \(error)"
            }
            if candidate.connection == nil {
                _ = connection.close()
            }
        }
        logger.warning("cannot read the Redis Cluster slot map", metadata: ["reason": "\(failure)"])
        state.withLockedValue { state in
            state.mapFailure = "cannot read the cluster slot map: \(failure)"
            updateHealth(&state)
        }
    }

    private func apply(_ map: ClusterSlotMap) {
        let (changed, retired, listeners) = state.withLockedValue { state in
            let changed = !(state.map?.assignsSlotsLike(map) ?? false)
            state.map = map
            state.mapFailure = nil
            let serving = Set(map.servingMasters)
            for master in serving {
                _ = connection(for: master, in: &state)
            }
            let retired = state.connections.filter { !serving.contains($0.key) }
            for node in retired.keys {
                state.connections[node] = nil
            }
            updateHealth(&state)
            return (changed, Array(retired.values), state.listeners)
        }
        for connection in retired {
            _ = connection.close()
        }
        if changed {
            logger.info("Redis Cluster slot map read", metadata: ["masters": "\(map.servingMasters.map(\.description))"])
        }
        for listener in listeners {
            listener()
        }
    }
}
