import NIOCore

/// What a caller writes into a Redis channel: commands sent together and the promise of their replies.
///
/// `expectedReplies` is usually `commands.count`; it differs for `SUBSCRIBE`/`UNSUBSCRIBE`, which Redis answers
/// once per channel named.
struct RedisRequest: Sendable {
    var commands: [RedisCommand]
    var expectedReplies: Int
    var promise: EventLoopPromise<[RedisValue]>

    init(commands: [RedisCommand], expectedReplies: Int? = nil, promise: EventLoopPromise<[RedisValue]>) {
        self.commands = commands
        self.expectedReplies = expectedReplies ?? commands.count
        self.promise = promise
    }
}
