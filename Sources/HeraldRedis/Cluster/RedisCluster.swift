public import CoreMetrics
public import Herald
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
public import SocketIO

/// The Redis ``ClusterBus``: each site has two pub/sub channels, `herald:bc:<site>` for namespace broadcasts and
/// `herald:dv:<site>` for reliable messages (on a Redis Cluster sharded channels named with the site's hash tag,
/// `herald:{<site>}:bc` and `herald:{<site>}:dv`, see ``RedisChannelNames``). An instance subscribes to a site's channels while it has sockets of
/// that site (and 30 s longer), so a busy site does not wake instances that serve none of its clients.
public final class RedisCluster: ClusterBus {
    /// This instance's ID in messages and in the liveness registry.
    public let instanceID: String
    private let subscriber: any RedisChannelSubscription
    private let names: RedisChannelNames
    private let logger: Logger
    private let adapters = NIOLockedValueBox<[String: RedisAdapter]>([:])
    private let receiver = NIOLockedValueBox<Callback<DeviceDelivery>?>(nil)
    private let missed = NIOLockedValueBox<Callback<Void>?>(nil)
    private let firedEvents = NIOLockedValueBox<Callback<FiredEvent>?>(nil)
    private let attached = NIOLockedValueBox<[String: Int]>([:])
    private let lingering = NIOLockedValueBox(Lingering())
    private let publisher: RedisPublisher
    private let client: RedisClient
    private let sessionWriter: RedisSessionWriter
    private let historyDrops: DroppedMessages
    private let control: RedisControlExchange
    private let instanceSites: RedisInstanceSites
    /// First part of every key and channel name.
    static let keyPrefix = "herald"
    /// How long a site's channels stay subscribed after its last local socket left.
    static let lingerAfterLastSocket: Duration = .seconds(30)
    /// Default of `cluster.maxBufferBytes`: most bytes of messages for other instances that Redis has not yet
    /// acknowledged.
    public static let defaultMaxBufferedBytes = 32 << 20

    /// The unsubscribes waiting out ``lingerAfterLastSocket``, cancelled by ``close()``.
    private struct Lingering {
        var tasks: [Int: Task<Void, Never>] = [:]
        var next = 0
        var isClosed = false
    }

    /// Creates the bus publishing through `client` (at most `maxBufferedBytes` not yet acknowledged by Redis; what
    /// does not fit is dropped and counted in `metricsFactory`) and subscribing on a connection of its own to
    /// `configuration`; when `client` talks to a Redis Cluster, through sharded channels, one subscriber connection
    /// per master. The sites whose sessions this instance records are listed in `instanceSites` (by default with a
    /// 10 s liveness key; pass ``RedisInstanceRegistry/sites`` so it matches the heartbeats).
    public init(
        client: RedisClient,
        configuration: RedisConfiguration,
        instanceID: String,
        eventLoopGroup: any EventLoopGroup,
        maxBufferedBytes: Int = RedisCluster.defaultMaxBufferedBytes,
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        instanceSites: RedisInstanceSites? = nil,
        logger: Logger
    ) throws(RedisError) {
        self.instanceID = instanceID
        self.instanceSites = instanceSites ?? RedisInstanceSites(client: client, instanceID: instanceID, keyPrefix: Self.keyPrefix)
        self.logger = logger
        let route = NIOLockedValueBox<Callback<RedisPubSubMessage>?>(nil)
        let missed = self.missed
        names = RedisChannelNames(isSharded: client.isCluster)
        if client.isCluster {
            subscriber = try RedisShardedSubscriber(
                client: client,
                logger: logger,
                onResubscribed: { missed.withLockedValue { $0 }?.call(()) }
            ) { message in route.withLockedValue { $0 }?.call(message) }
        } else {
            subscriber = try RedisSubscriber(
                configuration: configuration,
                eventLoopGroup: eventLoopGroup,
                logger: logger,
                onResubscribed: { missed.withLockedValue { $0 }?.call(()) }
            ) { message in route.withLockedValue { $0 }?.call(message) }
        }
        self.client = client
        control = RedisControlExchange(instanceID: instanceID, client: client, logger: logger, names: names)
        sessionWriter = RedisSessionWriter(logger: logger)
        historyDrops = DroppedMessages(buffer: "history", factory: metricsFactory, logger: logger)
        publisher = RedisPublisher(
            client: client,
            maxBufferedBytes: maxBufferedBytes,
            drops: DroppedMessages(buffer: "publish", factory: metricsFactory, logger: logger),
            command: names.publishCommand
        )
        route.withLockedValue { $0 = Callback { [weak self] message in self?.receive(message) } }
    }

    /// The adapter for `namespace`, wired to this bus.
    public func makeAdapter(namespace: String) -> any Adapter {
        let history = RedisSessionHistory(
            client: client,
            site: namespace.hasPrefix("/") ? String(namespace.dropFirst()) : namespace,
            keyPrefix: Self.keyPrefix,
            instance: instanceSites,
            writer: sessionWriter,
            logger: logger
        )
        let adapter = RedisAdapter(namespace: namespace, cluster: self, history: history)
        adapters.withLockedValue { $0[namespace] = adapter }
        return adapter
    }

    public func attach(site: String) async {
        let first = attached.withLockedValue { table in
            table[site, default: 0] += 1
            return table[site] == 1
        }
        guard first else { return }
        do {
            try await subscriber.subscribe(channels(of: site))
        } catch {
            logger.warning("subscribing to site channels failed: \(error); retried on reconnect", metadata: ["site": "\(site)"])
        }
    }

    public func detach(site: String) {
        let last = attached.withLockedValue { table in
            table[site, default: 1] -= 1
            return table[site] == 0
        }
        guard last else { return }
        let subscriber = self.subscriber
        let channels = self.channels(of: site)
        let attached = self.attached
        let lingering = self.lingering
        lingering.withLockedValue { state in
            guard !state.isClosed else { return }
            let id = state.next
            state.next += 1
            state.tasks[id] = Task {
                defer { lingering.withLockedValue { _ = $0.tasks.removeValue(forKey: id) } }
                guard (try? await Task.sleep(for: Self.lingerAfterLastSocket)) != nil else { return }
                guard attached.withLockedValue({ $0[site] == 0 }) else { return }
                try? await subscriber.unsubscribe(channels)
            }
        }
    }

    /// Returns once Redis acknowledged the `PUBLISH` of `delivery` (or dropped it, counted), so a `POST /send`
    /// answered after it has handed the message to every instance's subscription.
    public func publish(_ delivery: DeviceDelivery) async {
        let message = ClusterMessage.delivery(origin: instanceID, delivery)
        await publisher.publishAndWait(message.encoded(), on: names.delivery(site: delivery.site))
    }

    public func onDelivery(_ receiver: @escaping @Sendable (DeviceDelivery) -> Void) {
        self.receiver.withLockedValue { $0 = Callback(call: receiver) }
    }

    /// Runs `handler` each time the subscription came back after its connection was lost: what other instances
    /// published meanwhile never arrived here.
    public func onDeliveriesMissed(_ handler: @escaping @Sendable () -> Void) {
        missed.withLockedValue { $0 = Callback { _ in handler() } }
    }

    /// Subscribes to `herald:ev`, the channel of event-server events; at start, so it waits up to 5 s for the
    /// subscriber's connection (an instance that reports itself listening then hears events fired elsewhere).
    public func attachEvents() async {
        do {
            try? await subscriber.waitUntilConnected(timeout: .seconds(5))
            try await subscriber.subscribe([names.event])
        } catch {
            logger.warning("subscribing to the event-server channel failed: \(error); retried on reconnect")
        }
    }

    /// Returns once Redis acknowledged the `PUBLISH` of `event` (or dropped it, counted).
    public func publish(_ event: FiredEvent) async {
        await publisher.publishAndWait(ClusterMessage.event(origin: instanceID, event).encoded(), on: names.event)
    }

    public func onFiredEvent(_ receiver: @escaping @Sendable (FiredEvent) -> Void) {
        firedEvents.withLockedValue { $0 = Callback(call: receiver) }
    }

    /// Subscribes to `herald:ctl` (every instance's commands from backends) and this instance's reply channel; at
    /// start, so it waits up to 5 s for the subscriber's connection.
    public func attachControl() async {
        do {
            try? await subscriber.waitUntilConnected(timeout: .seconds(5))
            try await subscriber.subscribe([control.requestChannel, control.replyChannel])
        } catch {
            logger.warning("subscribing to the control channels failed: \(error); retried on reconnect")
        }
    }

    public func runElsewhere(_ command: ControlCommand, timeout: Duration) async -> [ControlReply] {
        await control.runElsewhere(command, timeout: timeout)
    }

    public func onControl(_ handler: @escaping @Sendable (ControlCommand) async -> ControlReply) {
        control.onControl(handler)
    }

    /// The instances of the liveness registry (`herald:instances`): those that have not been reaped yet.
    public func liveInstances() async -> [String]? {
        try? await client.send(["SMEMBERS", "\(Self.keyPrefix):instances"]).array?.compactMap(\.string)
    }

    /// Publishes a namespace broadcast for the other instances, without waiting (dropped when the buffer is full).
    func publishBroadcast(_ encoded: (text: String, attachments: [ByteBuffer]), options: BroadcastOptions, namespace: String) {
        publisher.publish(broadcastMessage(encoded, options: options, namespace: namespace), on: broadcastChannel(namespace))
    }

    /// Hands a namespace broadcast over for the other instances now; the future succeeds once Redis acknowledged it
    /// (or dropped it, counted).
    func publishBroadcastAcknowledged(
        _ encoded: (text: String, attachments: [ByteBuffer]),
        options: BroadcastOptions,
        namespace: String
    ) -> EventLoopFuture<Void> {
        let message = broadcastMessage(encoded, options: options, namespace: namespace)
        return publisher.publishAcknowledged(message, on: broadcastChannel(namespace))
    }

    /// Records a namespace event in the site's history and publishes it with its offset, in one script; returns once
    /// Redis ran it (a failure is counted as a dropped message: no instance delivers the event).
    func record(
        _ text: String,
        options: BroadcastOptions,
        namespace: String,
        history: RedisSessionHistory,
        settings: ConnectionStateRecovery
    ) async {
        let message = broadcastMessage((text, []), options: options, namespace: namespace)
        do {
            try await history.record(
                text: text,
                options: options,
                settings: settings,
                message: message,
                channel: broadcastChannel(namespace),
                publishCommand: names.publishCommand
            )
            historyDrops.passed()
        } catch {
            historyDrops.drop(.redisUnavailable, bytes: text.utf8.count)
        }
    }

    private func broadcastMessage(
        _ encoded: (text: String, attachments: [ByteBuffer]),
        options: BroadcastOptions,
        namespace: String
    ) -> String {
        ClusterMessage.broadcast(
            origin: instanceID,
            namespace: namespace,
            packetText: encoded.text,
            attachments: encoded.attachments,
            options: options
        ).encoded()
    }

    /// Stops publishing (after what was handed over is answered), ends the pending unsubscribes and closes the
    /// subscription: nothing of the bus sends a command after it returns.
    public func close() async {
        let tasks = lingering.withLockedValue { state in
            state.isClosed = true
            return Array(state.tasks.values)
        }
        for task in tasks {
            task.cancel()
        }
        await publisher.close()
        await sessionWriter.close()
        for task in tasks {
            await task.value
        }
        await subscriber.close()
    }

    private func receive(_ raw: RedisPubSubMessage) {
        if control.handles(channel: raw.channel) {
            control.receive(raw.text)
            return
        }
        guard let message = ClusterMessage.decode(raw.text) else { return }
        if case .broadcast(_, let namespace, let text, _, let options, let offset?) = message {
            let event = RecordedEvent(offset: offset, text: text, options: options)
            adapters.withLockedValue { $0[namespace] }?.deliverRecorded(event)
            return
        }
        guard message.origin != instanceID else { return }
        switch message {
        case .broadcast(_, let namespace, let text, let attachments, let options, _):
            adapters.withLockedValue { $0[namespace] }?.deliverRemote((text, attachments), options: options)
        case .delivery(_, let delivery):
            receiver.withLockedValue { $0 }?.call(delivery)
        case .event(_, let event):
            firedEvents.withLockedValue { $0 }?.call(event)
        }
    }

    /// The broadcast channel of `namespace` on one Redis.
    static func broadcastChannel(_ namespace: String) -> String {
        RedisChannelNames(isSharded: false).broadcast(site: site(of: namespace))
    }

    /// The broadcast channel of `namespace` on this bus's Redis.
    func broadcastChannel(_ namespace: String) -> String {
        names.broadcast(site: Self.site(of: namespace))
    }

    private func channels(of site: String) -> [String] {
        [names.broadcast(site: site), names.delivery(site: site)]
    }

    private static func site(of namespace: String) -> String {
        namespace.hasPrefix("/") ? String(namespace.dropFirst()) : namespace
    }
}
