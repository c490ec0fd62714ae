/// What ``RedisCluster`` subscribes its channels through: a ``RedisSubscriber`` on one Redis, a
/// ``RedisShardedSubscriber`` on a cluster. Both deliver to the callback given at creation and report gaps there.
protocol RedisChannelSubscription: Sendable {
    func subscribe(_ names: [String]) async throws(RedisError)
    func unsubscribe(_ names: [String]) async throws(RedisError)
    func waitUntilConnected(timeout: Duration) async throws(RedisError)
    func close() async
}

extension RedisSubscriber: RedisChannelSubscription {}

extension RedisShardedSubscriber: RedisChannelSubscription {}
