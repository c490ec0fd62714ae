import Logging

/// Runs session updates (a socket's session recorded, kept or forgotten) one after another, in the order they were
/// handed over, so a quick connect and disconnect cannot reach Redis the other way round. Updates that do not fit
/// (Redis answering slower than sockets come and go) are dropped and logged: a session then is not recoverable, and
/// the socket's client gets a fresh one.
final class RedisSessionWriter: Sendable {
    /// Most updates waiting for Redis.
    static let capacity = 65_536

    private let updates: AsyncStream<@Sendable () async -> Void>.Continuation
    private let worker: Task<Void, Never>
    private let logger: Logger

    init(logger: Logger) {
        let (stream, continuation) = AsyncStream<@Sendable () async -> Void>.makeStream(bufferingPolicy: .bufferingOldest(Self.capacity))
        self.updates = continuation
        self.logger = logger
        worker = Task {
            for await update in stream {
                await update()
            }
        }
    }

    /// Queues `update` after every update handed over before it.
    func enqueue(_ update: @escaping @Sendable () async -> Void) {
        if case .dropped = updates.yield(update) {
            logger.warning("session update dropped: too many waiting for Redis")
        }
    }

    /// Runs what is queued, then stops.
    func close() async {
        updates.finish()
        await worker.value
    }
}
