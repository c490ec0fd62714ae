import CoreMetrics
import Foundation
import Herald
import HeraldRedis
import Logging
import NIOPosix
import SocketIO

/// Chooses the backend from the settings: Redis when `redis.url`, `redis.sentinels` or `REDIS_URL` is set (several
/// instances act as one), else everything in this process's memory.
enum MessageStoreFactory {
    /// The store, the cluster bus, and what runs beside them.
    struct Backend: Sendable {
        let store: any MessageStore
        let bus: any ClusterBus
        let makeAdapter: @Sendable (_ namespace: String) -> any Adapter
        /// Answers of `POST /send` requests with an `Idempotency-Key`.
        let idempotency: any IdempotencyStore
        /// Room presence of the sites with `presence`.
        let presence: any PresenceStore
        /// `maxConnections` across the instances (this instance's own count without Redis).
        let connectionLimit: any ClusterConnectionLimit
        /// `maxSendsPerSecond` across the instances (this instance's own bucket without Redis).
        let sendRate: any SiteSendRate
        /// Hands the presence of dead instances to the service's tracker, which announces who left.
        let reapPresence: @Sendable (any PresenceReaping) -> Void
        /// Hands what backends publish on the Redis channel `herald:send` to the given handler until cancelled;
        /// returns at once without Redis.
        let consumePublished: @Sendable (_ handle: @escaping @Sendable ([UInt8]) async -> Void) async -> Void
        /// Runs until cancelled: purging, heartbeats, outage logging.
        let background: @Sendable () async -> Void
        /// Takes this instance out of the cluster after a drain; call it once ``background`` and
        /// ``consumePublished`` have returned, or a heartbeat or lease renewal could put it back.
        let retire: @Sendable () async -> Void
        /// Closes connections; nothing of the backend sends a command after it returns.
        let shutdown: @Sendable () async -> Void
        /// Which instance holds each polling session, when polling requests are forwarded (Redis and
        /// `cluster.secret`); refreshed by ``background``.
        var sessionOwners: RedisSessionOwners? = nil
    }

    static func make(
        settings: HeraldSettings,
        instanceID: String,
        metricsFactory: any MetricsFactory,
        logger: Logger
    ) throws -> Backend {
        let storeSettings = MessageStoreSettings(deviceTTL: settings.deviceTTL, maxQueueLength: settings.maxQueueLength)
        guard let redis = settings.redis else {
            let store = InMemoryMessageStore(settings: storeSettings)
            return Backend(
                store: store,
                bus: LocalClusterBus(),
                makeAdapter: { _ in LocalAdapter() },
                idempotency: InMemoryIdempotencyStore(),
                presence: InMemoryPresenceStore(instanceID: instanceID),
                connectionLimit: InstanceConnectionLimit(),
                sendRate: SiteSendLimiter(),
                reapPresence: { _ in },
                consumePublished: { _ in },
                background: {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(60))
                        store.purgeExpired()
                    }
                },
                retire: {},
                shutdown: {}
            )
        }
        let configuration = try RedisConfiguration(redis)
        let group = MultiThreadedEventLoopGroup.singleton
        let client = try RedisClient(
            configuration: configuration,
            eventLoopGroup: group,
            logger: logger,
            metricsFactory: metricsFactory
        )
        let registry = RedisInstanceRegistry(
            client: client,
            instanceID: instanceID,
            deviceTTL: settings.deviceTTL,
            timeToLive: settings.instanceTimeout,
            interval: settings.heartbeatInterval,
            logger: logger
        )
        let cluster = try RedisCluster(
            client: client,
            configuration: configuration,
            instanceID: instanceID,
            eventLoopGroup: group,
            maxBufferedBytes: settings.clusterMaxBufferBytes,
            metricsFactory: metricsFactory,
            instanceSites: registry.sites,
            logger: logger
        )
        let limits = RedisSiteLimits(
            client: client,
            instanceID: instanceID,
            instanceTimeout: settings.instanceTimeout,
            interval: settings.heartbeatInterval,
            logger: logger
        )
        registry.onReap { await limits.reap(instance: $0) }
        let sendChannel = try RedisSendChannel(
            client: client,
            configuration: configuration,
            instanceID: instanceID,
            leaseTime: settings.instanceTimeout,
            renewInterval: settings.heartbeatInterval,
            eventLoopGroup: group,
            maxBufferedBytes: settings.clusterMaxBufferBytes,
            metricsFactory: metricsFactory,
            logger: logger
        )
        let sessionOwners = settings.clusterSecret.map { _ in
            RedisSessionOwners(
                client: client,
                instanceID: instanceID,
                timeToLive: settings.instanceTimeout,
                interval: settings.heartbeatInterval,
                address: settings.clusterAdvertise
            )
        }
        return Backend(
            store: RedisMessageStore(
                client: client,
                settings: storeSettings,
                instance: registry.sites,
                replicaAcknowledgements: settings.redisReplicaWait.map {
                    RedisReplicaAcknowledgements(replicas: $0.replicas, timeout: $0.timeout)
                }
            ),
            bus: cluster,
            makeAdapter: { cluster.makeAdapter(namespace: $0) },
            idempotency: RedisIdempotencyStore(client: client, logger: logger),
            presence: RedisPresenceStore(client: client, instance: registry.sites),
            connectionLimit: limits.connections,
            sendRate: limits.sends,
            reapPresence: { registry.reapPresence(with: $0) },
            consumePublished: { await sendChannel.run($0) },
            background: {
                async let heartbeats: Void = registry.run()
                async let outages: Void = logOutages(of: client, logger: logger)
                async let owners: Void = { await sessionOwners?.run() }()
                async let leases: Void = limits.run()
                _ = await (heartbeats, outages, owners, leases)
            },
            retire: {
                await sendChannel.retire()
                await limits.retire()
                await registry.retire()
            },
            shutdown: {
                await sendChannel.close()
                await cluster.close()
                await client.close()
            },
            sessionOwners: sessionOwners
        )
    }

    /// A fresh instance ID: `HERALD_INSTANCE_ID`, else the host name and a random suffix.
    static func instanceID() -> String {
        if let configured = ProcessInfo.processInfo.environment["HERALD_INSTANCE_ID"], !configured.isEmpty {
            return configured
        }
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(ProcessInfo.processInfo.hostName)-\(suffix)"
    }

    /// One line when Redis goes away and one when it is back, however many requests fail meanwhile; nothing when the
    /// client is closed on shutdown, which is no outage.
    private static func logOutages(of client: RedisClient, logger: Logger) async {
        var wasConnected: Bool?
        for await state in client.stateChanges() {
            if Task.isCancelled || state == .closed { return }
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
