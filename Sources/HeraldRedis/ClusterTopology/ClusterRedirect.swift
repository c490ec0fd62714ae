/// What a cluster node's error reply asks the client to do instead of failing the command.
enum ClusterRedirect: Sendable, Hashable {
    /// `MOVED slot host:port`: the slot lives on `node` now; update the map and send the command there.
    case moved(ClusterSlot, node: RedisNodeAddress)
    /// `ASK slot host:port`: the slot is being migrated and this key already moved; send `ASKING` and the command to
    /// `node`, once, without changing the map.
    case ask(ClusterSlot, node: RedisNodeAddress)
    /// `TRYAGAIN` (a multi-key command during a migration) or `CLUSTERDOWN` (the slot has no reachable master yet):
    /// send the same command again after a short pause.
    case retryLater

    /// Reads the error `message` of a reply from the node at `origin` (whose host stands in when the reply names
    /// none, as Redis does when it does not know the endpoint); `nil` for every other error.
    init?(errorMessage message: String, origin: RedisNodeAddress) {
        if message.hasPrefix("TRYAGAIN") || message.hasPrefix("CLUSTERDOWN") {
            self = .retryLater
            return
        }
        let parts = message.split(separator: " ")
        guard parts.count == 3, let number = Int(parts[1]), (0..<ClusterSlot.count).contains(number),
            let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...]),
            (1...65535).contains(port)
        else {
            return nil
        }
        var host = String(parts[2][..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        let node = RedisNodeAddress(host: host.isEmpty ? origin.host : host, port: port)
        switch parts[0] {
        case "MOVED": self = .moved(ClusterSlot(number), node: node)
        case "ASK": self = .ask(ClusterSlot(number), node: node)
        default: return nil
        }
    }
}
