extension RedisCommand {
    /// The key that decides which cluster node runs the command, or `nil` for a command without one (`PING`,
    /// `PUBLISH`, `WAIT`, `MULTI`…), which goes with its neighbours in a pipeline or to any node alone.
    ///
    /// Scripts (`EVAL`, `EVALSHA`, `FCALL` and their `_RO` forms) are routed by their first declared key, so a
    /// script must declare every key it touches and keep them in one slot with a hash tag; sharded pub/sub
    /// (`SPUBLISH`, `SSUBSCRIBE`, `SUNSUBSCRIBE`) by the channel; every other command by its first argument.
    var clusterKey: [UInt8]? {
        guard lengths.count > 1 else {
            return nil
        }
        let name = self.name.uppercased()
        if Self.keylessCommands.contains(name) {
            return nil
        }
        if Self.scriptCommands.contains(name) {
            guard lengths.count > 3, let keyCount = Int(String(decoding: argument(at: 2), as: UTF8.self)), keyCount > 0
            else {
                return nil
            }
            return Array(argument(at: 3))
        }
        return Array(argument(at: 1))
    }

    private func argument(at index: Int) -> ArraySlice<UInt8> {
        let start = lengths[..<index].reduce(0, +)
        return storage[start..<start + lengths[index]]
    }

    /// Commands whose first argument is not a key.
    private static let keylessCommands: Set<String> = [
        "ACL", "ASKING", "AUTH", "BGREWRITEAOF", "BGSAVE", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DBSIZE", "DEBUG",
        "DISCARD", "ECHO", "EXEC", "FLUSHALL", "FLUSHDB", "FUNCTION", "HELLO", "INFO", "LASTSAVE", "LATENCY", "MEMORY",
        "MONITOR", "MULTI", "PING", "PSUBSCRIBE", "PUBLISH", "PUBSUB", "PUNSUBSCRIBE", "QUIT", "READONLY", "READWRITE",
        "RESET", "ROLE", "SAVE", "SCRIPT", "SELECT", "SLOWLOG", "SUBSCRIBE", "SWAPDB", "TIME", "UNSUBSCRIBE", "UNWATCH",
        "WAIT", "WAITAOF",
    ]

    /// Commands whose keys follow a key count in argument 2.
    private static let scriptCommands: Set<String> = ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"]
}
