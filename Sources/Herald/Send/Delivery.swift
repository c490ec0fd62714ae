import NIOCore
import SocketIO

/// The send pipeline: a `POST /send` becomes a plain broadcast on sites without user rooms, and on sites with them
/// a message stored in every target device's queue and emitted with acks to the devices connected here.
public struct Delivery: Sendable {
    private let io: SocketIOServer
    private let store: any MessageStore
    private let ids: FlakeIDGenerator
    private let bus: any ClusterBus
    private let metrics: HeraldMetrics
    let sessions: DeviceSessions

    init(
        io: SocketIOServer,
        store: any MessageStore,
        ids: FlakeIDGenerator,
        sessions: DeviceSessions,
        bus: any ClusterBus,
        metrics: HeraldMetrics
    ) {
        self.metrics = metrics
        self.io = io
        self.store = store
        self.ids = ids
        self.sessions = sessions
        self.bus = bus
    }

    /// Delivers `request` on `site`. Throws ``DeliveryError/storeUnavailable(_:)`` when the message store is
    /// unavailable (the backend should retry) and ``DeliveryError/siteRemoved`` when a reload removed the site while
    /// the request ran; either way nothing was stored or sent. The site's namespace is looked up, never created: one
    /// made here would lack the site's admission middleware and let any client in.
    @discardableResult
    public func send(_ request: SendRequest, on site: Site) async throws(DeliveryError) -> DeliveryReport {
        guard let namespace = io.namespace(named: site.namespace) else { throw .siteRemoved }
        do {
            return try await send(request, on: site, in: namespace)
        } catch {
            throw .storeUnavailable(error)
        }
    }

    private func send(_ request: SendRequest, on site: Site, in namespace: Namespace) async throws(StoreError) -> DeliveryReport {
        guard let prefix = site.userRoomPrefix else {
            // Waiting for the local sockets to be written keeps a fast backend from queueing broadcasts on the
            // event loops faster than they drain (each queued one adds to every later message's latency).
            await namespace.to(Set(request.rooms).union(Self.subscriptions(of: request.rooms, on: site))).emitAndWait(
                request.event,
                request.arguments
            )
            metrics.site(site.name).sent(storedDevices: 0)
            return DeliveryReport(messageID: nil, userRooms: [], storedDevices: 0)
        }
        let naming = UserRoomNaming(prefix: prefix)
        var userRooms = Set(request.rooms.filter(naming.isUserRoom))
        for room in Set(request.rooms.filter { !naming.isUserRoom($0) }) {
            userRooms.formUnion(try await store.userRooms(site: site.name, sharedRoom: room))
        }
        let message = StoredMessage(id: ids.next(), event: request.event, arguments: request.arguments)
        let holders = try await store.enqueue(message, site: site.name, userRooms: userRooms)
        let delivery = DeviceDelivery(
            site: site.name,
            message: message,
            userRooms: userRooms.sorted(),
            holders: holders,
            resync: request.resync
        )
        deliverLocally(delivery)
        await bus.publish(delivery)
        await namespace.to(Set(request.rooms).union(userRooms)).except(ReliableRoom.name)
            .emitAndWait(request.event, request.arguments)
        let subscriptions = Self.subscriptions(of: request.rooms.filter { !naming.isUserRoom($0) }, on: site)
        if !subscriptions.isEmpty {
            await namespace.to(subscriptions).emitAndWait(request.event, request.arguments)
        }
        metrics.site(site.name).sent(storedDevices: holders.count)
        return DeliveryReport(messageID: message.id, userRooms: userRooms, storedDevices: holders.count)
    }

    /// The ``SubscriptionRoom``s of `rooms` on a site that lets clients subscribe; none on other sites, which then
    /// pay nothing for subscriptions.
    private static func subscriptions(of rooms: [String], on site: Site) -> Set<String> {
        guard site.interaction.subscribeURL != nil else { return [] }
        return Set(rooms.map(SubscriptionRoom.name(for:)))
    }

    /// Emits `delivery` to the device sessions on this instance: with an ack where the device's queue holds it. The
    /// sessions on one event loop get it in one task on that loop, not one task each.
    func deliverLocally(_ delivery: DeviceDelivery) {
        let holders = Set(delivery.holders)
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, recipients: [(any ReliableSession, stored: Bool)])] = [:]
        for session in sessions.sessions(site: delivery.site, userRooms: delivery.userRooms) {
            let loop = session.eventLoop
            byLoop[ObjectIdentifier(loop), default: (loop, [])].recipients.append((session, holders.contains(session.device)))
        }
        for (loop, recipients) in byLoop.values {
            let deliverAll: @Sendable () -> Void = {
                for (session, stored) in recipients {
                    session.deliverOnLoop(delivery.message, stored: stored, resync: delivery.resync)
                }
            }
            if loop.inEventLoop { deliverAll() } else { loop.execute(deliverAll) }
        }
    }
}

/// What a send did, for the log.
public struct DeliveryReport: Sendable, Hashable {
    /// The stored message's ID (nil on sites without user rooms).
    public var messageID: FlakeID?
    /// The user rooms the message went to.
    public var userRooms: Set<String>
    /// How many device queues hold it.
    public var storedDevices: Int
}
