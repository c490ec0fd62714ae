public import CoreMetrics
public import Logging
import NIOConcurrencyHelpers
public import NIOCore

/// Lets backends publish messages on the Redis channel `herald:send` instead of calling `POST /send`, with every
/// message going out once in total however many Herald instances share the Redis.
///
/// Every instance would receive a `PUBLISH`, so only the holder of the lease `herald:send:leader`
/// (``RedisLeaderLease``, renewed every `renewInterval`) subscribes, and it hands a message on only while its lease
/// holds. The others keep trying to take the lease and take over when its holder stops renewing (crash: after the
/// lease's time to live; graceful shutdown: at once, since ``retire()`` releases it).
///
/// Guarantees: at most once. Redis pub/sub keeps nothing, so a message published while no instance is subscribed —
/// during a failover, while the leader's subscription reconnects, or with no Herald running — is lost; a backend
/// that needs to know a message was accepted uses `POST /send`.
public final class RedisSendChannel: Sendable {
    /// The channel backends publish on.
    public static let channel = "herald:send"
    /// The lease that decides which instance consumes the channel.
    public static let leaderKey = "herald:send:leader"

    /// The lease this instance competes for.
    public let lease: RedisLeaderLease
    private let client: RedisClient
    private let subscriber: RedisSubscriber
    private let renewInterval: Duration
    private let logger: Logger
    private let inbox: AsyncStream<[UInt8]>
    private let inboxContinuation: AsyncStream<[UInt8]>.Continuation
    /// Bytes of received messages waiting to be sent, bounded by the `maxBufferedBytes` given to `init`.
    private let inboxBytes: NIOLockedValueBox<Int>
    private let consuming = NIOLockedValueBox(false)
    private let retired: NIOLockedValueBox<Bool>

    /// Creates the channel consumer for `instanceID`; it subscribes (on a connection of its own to
    /// `configuration`) only once ``run(_:)`` took the lease. Received messages wait to be sent up to
    /// `maxBufferedBytes`; beyond it new ones are dropped and counted in `metricsFactory`
    /// (`herald_redis_dropped_messages_total{buffer="send_channel"}`), with one warning per burst of drops.
    public init(
        client: RedisClient,
        configuration: RedisConfiguration,
        instanceID: String,
        leaseTime: Duration,
        renewInterval: Duration,
        eventLoopGroup: any EventLoopGroup,
        maxBufferedBytes: Int = RedisCluster.defaultMaxBufferedBytes,
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        logger: Logger
    ) throws(RedisError) {
        let lease = RedisLeaderLease(client: client, key: Self.leaderKey, owner: instanceID, timeToLive: leaseTime)
        let (inbox, continuation) = AsyncStream<[UInt8]>.makeStream()
        let retired = NIOLockedValueBox(false)
        let inboxBytes = NIOLockedValueBox(0)
        let drops = DroppedMessages(buffer: "send_channel", factory: metricsFactory, logger: logger)
        subscriber = try RedisSubscriber(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger) {
            message in
            guard message.channel == Self.channel, lease.isHeld, !retired.withLockedValue({ $0 }) else { return }
            let size = message.payload.count
            let fits = inboxBytes.withLockedValue { bytes in
                guard bytes + size <= maxBufferedBytes else { return false }
                bytes += size
                return true
            }
            guard fits else {
                drops.drop(.bufferFull, bytes: size)
                return
            }
            drops.passed()
            continuation.yield(message.payload)
        }
        self.lease = lease
        self.client = client
        self.retired = retired
        self.renewInterval = renewInterval
        self.logger = logger
        self.inbox = inbox
        self.inboxBytes = inboxBytes
        inboxContinuation = continuation
    }

    /// Competes for the lease and, while holding it, hands each published message to `handle`, one at a time in
    /// the order they were published, until the task is cancelled.
    public func run(_ handle: @escaping @Sendable ([UInt8]) async -> Void) async {
        async let messages: Void = consume(handle)
        async let outages: Void = forfeitOnDisconnect()
        await keepLease()
        inboxContinuation.finish()
        _ = await (messages, outages)
    }

    /// Stops consuming for good and releases the lease, so another instance takes the channel over at once.
    public func retire() async {
        retired.withLockedValue { $0 = true }
        lease.forfeit()
        await stopConsuming()
        await lease.release()
    }

    /// Closes the subscription.
    public func close() async {
        inboxContinuation.finish()
        await subscriber.close()
    }

    private func keepLease() async {
        await client.waitForConnection(atMost: renewInterval * 10)
        while !Task.isCancelled, !retired.withLockedValue({ $0 }) {
            if await lease.acquireOrRenew(), !retired.withLockedValue({ $0 }) {
                await startConsuming()
            } else {
                await stopConsuming()
            }
            try? await Task.sleep(for: renewInterval)
        }
        if !retired.withLockedValue({ $0 }) {
            await retire()
        }
    }

    private func consume(_ handle: @Sendable ([UInt8]) async -> Void) async {
        for await payload in inbox {
            inboxBytes.withLockedValue { $0 -= payload.count }
            await handle(payload)
        }
    }

    /// A subscription that broke may have missed messages while another instance could take over: stop counting
    /// the lease as held until it is renewed.
    private func forfeitOnDisconnect() async {
        var wasConnected = false
        for await state in subscriber.stateChanges() {
            if Task.isCancelled { return }
            let connected = state == .connected
            if wasConnected, !connected {
                lease.forfeit()
            }
            wasConnected = connected
        }
    }

    private func startConsuming() async {
        guard markConsuming(true) else { return }
        logger.info("this instance now consumes the Redis channel", metadata: ["channel": "\(Self.channel)"])
        do {
            try await subscriber.subscribe([Self.channel])
        } catch {
            logger.warning(
                "subscribing to the send channel failed: \(error); retried when Redis is back",
                metadata: ["channel": "\(Self.channel)"]
            )
        }
    }

    private func stopConsuming() async {
        guard markConsuming(false) else { return }
        logger.info("this instance no longer consumes the Redis channel", metadata: ["channel": "\(Self.channel)"])
        try? await subscriber.unsubscribe([Self.channel])
    }

    /// Records whether this instance consumes the channel; returns whether that changed.
    private func markConsuming(_ value: Bool) -> Bool {
        consuming.withLockedValue { current in
            guard current != value else { return false }
            current = value
            return true
        }
    }
}
