/// How many replicas must have acknowledged a write before the store counts it as stored, and how long it waits for
/// them: Redis replicates asynchronously, so a master that fails over may lose a write it acknowledged unless the
/// write waited (`WAIT replicas timeout`) for a replica to have it.
///
/// Keep ``timeout`` below the Redis client's command timeout, or a slow replica reads as a lost connection.
public struct RedisReplicaAcknowledgements: Sendable, Hashable {
    /// Replicas that must have the write (`WAIT`'s first argument), at least 1.
    public var replicas: Int
    /// Longest wait for them (`WAIT`'s second argument, whole milliseconds, at least 1).
    public var timeout: Duration

    /// Waits for `replicas` replicas for at most `timeout`.
    public init(replicas: Int, timeout: Duration) {
        self.replicas = max(1, replicas)
        self.timeout = max(timeout, .milliseconds(1))
    }
}

extension RedisClient {
    /// Runs `script`, then `WAIT` in the same pipeline, so the wait is for the connection (and node) that ran it;
    /// returns the script's reply and how many replicas acknowledged. A script Redis does not know yet is sent once
    /// more with `EVAL`, as ``run(_:keys:arguments:)-(_,[String],[String])`` does.
    func runAndWait(
        _ script: RedisScript,
        keys: [String],
        arguments: [String],
        for acknowledgements: RedisReplicaAcknowledgements
    ) async throws(RedisError) -> (reply: RedisValue, replicas: Int) {
        let keys = keys.map { Array($0.utf8) }
        let arguments = arguments.map { Array($0.utf8) }
        let wait = RedisCommand("WAIT", ["\(acknowledgements.replicas)", "\(acknowledgements.timeout.redisMilliseconds)"])
        var replies = try await pipeline([script.evalSHACommand(keys: keys, arguments: arguments), wait])
        if case .error(let message)? = replies.first, message.hasPrefix("NOSCRIPT") {
            replies = try await pipeline([script.evalCommand(keys: keys, arguments: arguments), wait])
        }
        guard replies.count == 2 else { throw .protocolError("\(replies.count) replies to a script and WAIT") }
        if case .error(let message) = replies[0] { throw .server(message) }
        if case .error(let message) = replies[1] { throw .server(message) }
        return (replies[0], replies[1].int ?? 0)
    }
}
