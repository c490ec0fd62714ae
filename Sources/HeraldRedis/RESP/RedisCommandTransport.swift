import NIOCore

/// What ``RedisClient`` sends its commands through: one ``RedisConnection`` to a single server, or a
/// ``ClusterRouter`` spreading them over a cluster's masters. Both keep commands submitted one after the other in
/// order (per node, for the router) and fail at once with ``RedisError/unavailable`` instead of queueing.
protocol RedisCommandTransport: Sendable {
    var configuration: RedisConfiguration { get }
    /// The loop replies complete on.
    var eventLoop: any EventLoop { get }
    var currentState: RedisConnectionState { get }
    func start()
    func submit(_ commands: [RedisCommand], expectedReplies: Int?) -> EventLoopFuture<[RedisValue]>
    func stateChanges() -> AsyncStream<RedisConnectionState>
    func waitUntilConnected(timeout: Duration) async throws(RedisError)
    func close() -> EventLoopFuture<Void>
}

extension RedisCommandTransport {
    /// Sends `commands` and waits for their replies.
    func replies(to commands: [RedisCommand]) async throws(RedisError) -> [RedisValue] {
        do {
            return try await submit(commands, expectedReplies: nil).get()
        } catch {
            throw RedisConnection.redisError(error)
        }
    }
}

extension RedisConnection: RedisCommandTransport {}
