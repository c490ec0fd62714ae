import Herald
import HeraldRedis
import Logging
import NIOPosix

/// Chooses the message store from the settings: Redis when `redis.url` / `REDIS_URL` is set, else in memory.
enum MessageStoreFactory {
    /// The store, and what must run beside it while the service runs (outage logging, in-memory purging).
    struct Made: Sendable {
        let store: any MessageStore
        let background: @Sendable () async -> Void
        let shutdown: @Sendable () async -> Void
    }

    static func make(settings: HeraldSettings, logger: Logger) throws -> Made {
        let storeSettings = MessageStoreSettings(deviceTTL: settings.deviceTTL, maxQueueLength: settings.maxQueueLength)
        guard let url = settings.redisURL else {
            let store = InMemoryMessageStore(settings: storeSettings)
            return Made(
                store: store,
                background: {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(60))
                        store.purgeExpired()
                    }
                },
                shutdown: {}
            )
        }
        let client = try RedisClient(
            configuration: try RedisConfiguration(url: url),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        return Made(
            store: RedisMessageStore(client: client, settings: storeSettings),
            background: { await logOutages(of: client, logger: logger) },
            shutdown: { await client.close() }
        )
    }

    /// One line when Redis goes away and one when it is back, however many requests fail meanwhile.
    private static func logOutages(of client: RedisClient, logger: Logger) async {
        var wasConnected: Bool?
        for await state in client.stateChanges() {
            let connected = state == .connected
            guard connected != wasConnected else { continue }
            if connected {
                logger.info("Redis connected")
            } else if wasConnected == true {
                logger.error("Redis unavailable: reliable sends answer 503 until it returns")
            }
            wasConnected = connected
        }
    }
}
