/// How Herald instances sharing one Redis act as one service: each hears the sites its clients use, and a reliable
/// message stored by one instance is emitted by whichever instance holds the device's socket.
///
/// A single instance uses ``LocalClusterBus``; several use the Redis bus from `HeraldRedis`.
public protocol ClusterBus: ClusterControl {
    /// A socket of `site` is about to be admitted here; returns once this instance receives the site's traffic.
    func attach(site: String) async
    /// A socket of `site` left this instance.
    func detach(site: String)
    /// Hands `delivery` to the other instances (this one delivers its own sockets itself), returning once it is on
    /// its way to each of them, so a `POST /send` answered after it was delivered everywhere it can be.
    func publish(_ delivery: DeviceDelivery) async
    /// Sets the receiver of deliveries published by other instances.
    func onDelivery(_ receiver: @escaping @Sendable (DeviceDelivery) -> Void)
    /// Sets what runs when deliveries from other instances may have been missed: the bus was cut off and is
    /// receiving again (the device sessions here then ask the store what their devices are owed).
    func onDeliveriesMissed(_ handler: @escaping @Sendable () -> Void)
    /// Starts receiving events fired on other instances (the event server is configured).
    func attachEvents() async
    /// Hands an event-server event to the other instances (this one delivers its own listeners itself), returning
    /// once it is on its way to each of them.
    func publish(_ event: FiredEvent) async
    /// Sets the receiver of event-server events fired on other instances.
    func onFiredEvent(_ receiver: @escaping @Sendable (FiredEvent) -> Void)
}

/// A reliable message on its way to device sessions, wherever they are connected.
public struct DeviceDelivery: Sendable, Hashable {
    /// The site.
    public var site: String
    /// The message, as stored.
    public var message: StoredMessage
    /// The user rooms it is for.
    public var userRooms: [String]
    /// The devices whose queues hold it (their sessions emit with an ack; other sessions of those users emit plainly).
    public var holders: [DeviceKey]
    /// Whether acks use resync semantics.
    public var resync: Bool

    /// Creates a delivery.
    public init(site: String, message: StoredMessage, userRooms: [String], holders: [DeviceKey], resync: Bool) {
        self.site = site
        self.message = message
        self.userRooms = userRooms
        self.holders = holders
        self.resync = resync
    }
}

/// The bus of a single instance: nothing to share.
public struct LocalClusterBus: ClusterBus {
    /// Creates the bus.
    public init() {}

    public func attach(site: String) async {}
    public func detach(site: String) {}
    public func publish(_ delivery: DeviceDelivery) async {}
    public func onDelivery(_ receiver: @escaping @Sendable (DeviceDelivery) -> Void) {}
    public func onDeliveriesMissed(_ handler: @escaping @Sendable () -> Void) {}
    public func attachEvents() async {}
    public func publish(_ event: FiredEvent) async {}
    public func onFiredEvent(_ receiver: @escaping @Sendable (FiredEvent) -> Void) {}
    public func attachControl() async {}
    public func runElsewhere(_ command: ControlCommand, timeout: Duration) async -> [ControlReply] { [] }
    public func onControl(_ handler: @escaping @Sendable (ControlCommand) async -> ControlReply) {}
}
