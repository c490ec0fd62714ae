/// The replies of cluster nodes and sentinels that the client parses, read from one value the way a fuzz target (and
/// the corpus replayed by `swift test`) feeds them: the slot map (`CLUSTER SHARDS`, with and without TLS ports, and
/// `CLUSTER SLOTS`), a redirect error (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`), a sentinel's master address and a
/// pub/sub push (`message`, `smessage`).
///
/// A node or sentinel may be broken or hostile; whatever it answers, what the client takes from it must hold.
public enum RedisTopologyReplies {
    /// Parses `value` as each of those replies and traps when a result breaks what routing relies on: every address
    /// has a port from 1 to 65535, every slot's master is one of the map's masters, a redirect names a real slot.
    public static func check(_ value: RedisValue) {
        let origin = RedisNodeAddress(host: "origin", port: 6379)
        let maps = [
            ClusterSlotMap(shards: value, origin: origin, tls: false),
            ClusterSlotMap(shards: value, origin: origin, tls: true),
            ClusterSlotMap(slots: value, origin: origin),
        ]
        for map in maps.compactMap({ $0 }) {
            precondition(map.nodes.allSatisfy(hasPort), "a node without a usable port in the map")
            precondition(map.servingMasters.allSatisfy(map.masters.contains), "a serving master the map does not list")
            for number in 0..<ClusterSlot.count {
                if let master = map.master(of: ClusterSlot(number)) {
                    precondition(map.masters.contains(master), "slot \(number) served by an unlisted master")
                }
            }
        }
        if let message = value.errorMessage, let redirect = ClusterRedirect(errorMessage: message, origin: origin) {
            switch redirect {
            case .moved(let slot, let node), .ask(let slot, let node):
                precondition((0..<ClusterSlot.count).contains(slot.number) && hasPort(node), "a redirect to nowhere")
            case .retryLater:
                break
            }
        }
        if let master = try? RedisSentinelQuery.master(from: [value], named: "m") {
            precondition(hasPort(master), "a sentinel's master without a usable port")
        }
        _ = RedisPubSubMessage(push: value)
    }

    private static func hasPort(_ node: RedisNodeAddress) -> Bool {
        (1...65535).contains(node.port)
    }
}
