extension RedisClient {
    /// `PUBLISH`es `message` on `channel` and returns how many subscribers received it. On a cluster every node
    /// forwards it to every other node, whose subscribers all receive it: for channels every instance hears.
    @discardableResult
    public func publish(_ message: String, to channel: String) async throws(RedisError) -> Int {
        try await send(["PUBLISH", channel, message]).int ?? 0
    }

    /// `SPUBLISH`es `message` on the sharded `channel` (Redis 7): on a cluster it goes only to the master serving
    /// the channel's slot, whose ``RedisShardedSubscriber``s receive it. Returns how many subscribers received it.
    @discardableResult
    public func spublish(_ message: String, to channel: String) async throws(RedisError) -> Int {
        try await send(["SPUBLISH", channel, message]).int ?? 0
    }
}
