extension ClusterSlotMap {
    /// Asks the node behind `connection` (at `origin`) for the map: `CLUSTER SHARDS`, or `CLUSTER SLOTS` where the
    /// server is older than Redis 7; `nil` when the reply names no master (a node not yet part of a cluster).
    static func read(through connection: RedisConnection, origin: RedisNodeAddress, tls: Bool) async throws(RedisError)
        -> ClusterSlotMap?
    {
        let shards = try await connection.replies(to: [RedisCommand("CLUSTER", ["SHARDS"])])
        if let reply = shards.first, reply.errorMessage == nil {
            return ClusterSlotMap(shards: reply, origin: origin, tls: tls).flatMap { $0.masters.isEmpty ? nil : $0 }
        }
        let slots = try await connection.replies(to: [RedisCommand("CLUSTER", ["SLOTS"])])
        return slots.first.flatMap { ClusterSlotMap(slots: $0, origin: origin) }.flatMap { $0.masters.isEmpty ? nil : $0 }
    }
}
