public import Herald
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
public import SocketIO

/// The Redis ``ClusterBus``: each site has two pub/sub channels, `herald:bc:<site>` for namespace broadcasts and
/// `herald:dv:<site>` for reliable messages. An instance subscribes to a site's channels while it has sockets of
/// that site (and 30 s longer), so a busy site does not wake instances that serve none of its clients.
public final class RedisCluster: ClusterBus {
    /// This instance's ID in messages and in the liveness registry.
    public let instanceID: String
    private let client: RedisClient
    private let subscriber: RedisSubscriber
    private let logger: Logger
    private let adapters = NIOLockedValueBox<[String: RedisAdapter]>([:])
    private let receiver = NIOLockedValueBox<Callback<DeviceDelivery>?>(nil)
    private let attached = NIOLockedValueBox<[String: Int]>([:])
    private let outbox: AsyncStream<(channel: String, text: String)>.Continuation
    private let publisher: Task<Void, Never>
    /// How long a site's channels stay subscribed after its last local socket left.
    static let lingerAfterLastSocket: Duration = .seconds(30)

    /// Creates the bus publishing through `client` and subscribing on a connection of its own to `configuration`.
    public init(
        client: RedisClient,
        configuration: RedisConfiguration,
        instanceID: String,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) throws(RedisError) {
        self.client = client
        self.instanceID = instanceID
        self.logger = logger
        let route = NIOLockedValueBox<Callback<RedisPubSubMessage>?>(nil)
        subscriber = try RedisSubscriber(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger) {
            message in route.withLockedValue { $0 }?.call(message)
        }
        let (stream, continuation) = AsyncStream<(channel: String, text: String)>.makeStream(bufferingPolicy: .bufferingNewest(100_000))
        outbox = continuation
        publisher = Task { await Self.publish(stream, through: client, logger: logger) }
        route.withLockedValue { $0 = Callback { [weak self] message in self?.receive(message) } }
    }

    /// The adapter for `namespace`, wired to this bus.
    public func makeAdapter(namespace: String) -> any Adapter {
        let adapter = RedisAdapter(namespace: namespace, cluster: self)
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
            try await subscriber.subscribe(Self.channels(of: site))
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
        let attached = self.attached
        Task {
            try? await Task.sleep(for: Self.lingerAfterLastSocket)
            guard attached.withLockedValue({ $0[site] == 0 }) else { return }
            try? await subscriber.unsubscribe(Self.channels(of: site))
        }
    }

    public func publish(_ delivery: DeviceDelivery) {
        let message = ClusterMessage.delivery(origin: instanceID, delivery)
        outbox.yield((channel: Self.deliveryChannel(delivery.site), text: message.encoded()))
    }

    public func onDelivery(_ receiver: @escaping @Sendable (DeviceDelivery) -> Void) {
        self.receiver.withLockedValue { $0 = Callback(call: receiver) }
    }

    /// Publishes a namespace broadcast for the other instances.
    func publishBroadcast(
        _ encoded: (text: String, attachments: [ByteBuffer]),
        options: BroadcastOptions,
        namespace: String
    ) {
        let message = ClusterMessage.broadcast(
            origin: instanceID,
            namespace: namespace,
            packetText: encoded.text,
            attachments: encoded.attachments,
            options: options
        )
        outbox.yield((channel: Self.broadcastChannel(namespace), text: message.encoded()))
    }

    /// Stops publishing and closes the subscription.
    public func close() async {
        outbox.finish()
        await publisher.value
        await subscriber.close()
    }

    private func receive(_ raw: RedisPubSubMessage) {
        guard let message = ClusterMessage.decode(raw.text), message.origin != instanceID else { return }
        switch message {
        case .broadcast(_, let namespace, let text, let attachments, let options):
            adapters.withLockedValue { $0[namespace] }?.deliverRemote((text, attachments), options: options)
        case .delivery(_, let delivery):
            receiver.withLockedValue { $0 }?.call(delivery)
        }
    }

    /// Sends queued publishes in order, pipelining whatever has piled up.
    private static func publish(_ stream: AsyncStream<(channel: String, text: String)>, through client: RedisClient, logger: Logger) async {
        var failures = 0
        for await item in stream {
            do {
                _ = try await client.send(["PUBLISH", item.channel, item.text])
                failures = 0
            } catch {
                failures += 1
                if failures == 1 { logger.error("publishing to other instances failed: \(error)") }
            }
        }
    }

    static func broadcastChannel(_ namespace: String) -> String {
        "herald:bc:" + (namespace.hasPrefix("/") ? String(namespace.dropFirst()) : namespace)
    }

    static func deliveryChannel(_ site: String) -> String {
        "herald:dv:" + site
    }

    static func channels(of site: String) -> [String] {
        [broadcastChannel("/" + site), deliveryChannel(site)]
    }
}
