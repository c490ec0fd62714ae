import Logging
import NIOCore
import SocketIO

/// Reliable delivery for one device whose client acknowledges by position (a ``DeviceQueueWire``: Server-Sent
/// Events). Pull-driven: it hands the client the device's queue in the order messages were stored for the device,
/// never in the order live copies arrive, because the one position the client names when it comes back must
/// acknowledge exactly a prefix of that order (see ``MessageStore/acknowledgeThrough(_:id:)``). Live copies arriving
/// on this or another instance differ in order between instances and concurrent sends; storage order is the same
/// for everyone.
///
/// - On activation it registers the device if the store could not be reached at admission (retrying like
///   ``StoreRetry`` until the socket leaves), acknowledges through the position the client named, then reads the
///   queue.
/// - Each live copy of a stored message is only a notification: one read runs at a time, and a notification that
///   arrives meanwhile runs one more read when it ends (so a burst of sends costs a couple of reads, not one each).
///   A read asks for what was stored after the last message sent; what was sent on this connection already is never
///   sent again.
/// - A message the device's queue does not hold goes out at once, without an ID.
/// - An overflowed queue (cleared by the store) becomes a resync.
/// - Nothing is removed while the client is connected (it cannot say what it received), so after `budget` messages
///   the wire ends the connection and the client comes back naming its position, which removes them.
///
/// Mutable state is confined to the socket's event loop (hence `@unchecked Sendable`, as ``DeviceSession``); public
/// entry points hop there.
final class DeviceQueueFollower: ReliableSession, @unchecked Sendable {
    let device: DeviceKey
    private let socket: Socket
    private let wire: any DeviceQueueWire
    private let store: any MessageStore
    private let logger: Logger
    private let metrics: SiteMetrics
    /// How many messages one connection may hold unacknowledged before the wire ends it.
    private let budget: Int
    private let retry = StoreRetry(firstPause: .milliseconds(250), longestPause: .seconds(5), window: nil)
    /// The device's registration with the store and the socket's disconnect from it.
    private let registrar: DeviceRegistrar

    private var registration: (sharedRooms: [String], maxDevices: Int)?
    /// The store answered the registration; `overflowed` when the queue had to be cleared.
    private var registered: (done: Bool, overflowed: Bool) = (false, false)
    /// The position was acknowledged and reads may run.
    private var ready = false
    private var reading = false
    /// A stored message arrived since the current read began.
    private var notified = false
    /// The live deliveries may have been lost and the store may have forgotten the device: register it again.
    private var resumeNeeded = false
    /// The last message sent, in storage order.
    private var cursor: FlakeID?
    /// Every queued message sent on this connection (at most `budget`).
    private var sent: Set<FlakeID> = []
    /// Unqueued messages that arrived before the queue was read.
    private var heldBack: [StoredMessage] = []
    private var stopped = false
    /// The store work in progress (registering, acknowledging, reading), cancelled and awaited by ``stop()``.
    private var work: Task<Void, Never>?

    init(
        device: DeviceKey,
        socket: Socket,
        wire: any DeviceQueueWire,
        store: any MessageStore,
        budget: Int,
        logger: Logger,
        metrics: SiteMetrics
    ) {
        self.device = device
        self.socket = socket
        self.wire = wire
        self.store = store
        self.budget = max(1, budget)
        self.logger = logger
        self.metrics = metrics
        self.registrar = DeviceRegistrar(device: device, socketID: socket.id, store: store, logger: logger, metrics: metrics)
    }

    func register(sharedRooms: [String], maxDevices: Int) async -> DeviceSession.Registration {
        onLoop { $0.registration = (sharedRooms, maxDevices) }
        switch await registrar.registerAtAdmission(sharedRooms: sharedRooms, maxDevices: maxDevices) {
        case .refused?:
            return .refused
        case .registered(let backlog, let evicted)?:
            onLoop { $0.registered = (true, backlog.overflowed) }
            return .registered(evicted: evicted)
        case nil:
            return .unavailable
        }
    }

    func activate() {
        guard !stopped else { return }
        let registered = self.registered
        let registration = self.registration
        let lastReceived = wire.lastReceivedID
        work = Task { [self] in
            var overflowed = registered.overflowed
            if !registered.done, let registration {
                guard let outcome = await connectAgain(registration, resuming: false) else { return }
                overflowed = outcome
            }
            if !overflowed, let lastReceived {
                var removed = 0
                guard
                    await retry.run(
                        "acknowledgement by position",
                        logger: logger,
                        metadata: metadata,
                        { () throws(StoreError) in
                            removed = try await store.acknowledgeThrough(device, id: lastReceived)
                        }
                    )
                else { return }
                metrics.acknowledged(removed)
            }
            let queueOverflowed = overflowed
            onLoop { $0.becameReady(overflowed: queueOverflowed) }
        }
    }

    /// Registers the device until the store answers; the queue's overflow flag, or nil when the socket left or the
    /// device was refused.
    private func connectAgain(_ registration: (sharedRooms: [String], maxDevices: Int), resuming: Bool) async -> Bool? {
        await registrar.registerUntilAnswered(
            sharedRooms: registration.sharedRooms,
            maxDevices: registration.maxDevices,
            resuming: resuming,
            retry: retry
        )?.overflowed
    }

    private func becameReady(overflowed: Bool) {
        guard !stopped else { return }
        ready = true
        if overflowed {
            wire.sendResync()
        }
        let held = heldBack
        heldBack = []
        for message in held {
            wire.sendUnqueued(message)
        }
        notified = true
        read()
    }

    var eventLoop: any EventLoop { socket.eventLoop }

    func deliverOnLoop(_ message: StoredMessage, stored: Bool, resync: Bool) {
        guard !stopped else { return }
        guard stored else {
            if ready {
                wire.sendUnqueued(message)
            } else if heldBack.count < budget {
                heldBack.append(message)
            } else {
                metrics.deferredLiveEmit()
            }
            return
        }
        notified = true
        read()
    }

    func catchUp() {
        onLoop { follower in
            guard follower.ready, !follower.stopped else { return }
            follower.resumeNeeded = true
            follower.notified = true
            follower.read()
        }
    }

    /// Reads what was stored after the last message sent, unless a read is running (it reads again when it ends).
    /// Called on the socket's event loop.
    private func read() {
        guard ready, !reading, !stopped, notified else { return }
        reading = true
        notified = false
        let after = cursor
        let resuming = resumeNeeded ? registration : nil
        resumeNeeded = false
        work = Task { [self] in
            if let resuming {
                guard let overflowed = await connectAgain(resuming, resuming: true) else { return }
                if overflowed {
                    onLoop { $0.readEnded(DeviceBacklog(messages: [], overflowed: true)) }
                    return
                }
            }
            var backlog: DeviceBacklog?
            let read = await retry.run("queue read", logger: logger, metadata: metadata) { () throws(StoreError) in
                backlog = try await store.queued(device, after: after)
            }
            guard read, let backlog else { return }
            onLoop { $0.readEnded(backlog) }
        }
    }

    private func readEnded(_ backlog: DeviceBacklog) {
        reading = false
        guard !stopped else { return }
        if backlog.overflowed {
            cursor = nil
            sent.removeAll()
            wire.sendResync()
        } else {
            let fresh = backlog.messages.filter { !sent.contains($0.id) }
            cursor = backlog.messages.last?.id ?? cursor
            if !fresh.isEmpty {
                sent.formUnion(fresh.map(\.id))
                wire.sendQueued(fresh)
            }
            guard sent.count < budget else {
                logger.debug("connection holds \(sent.count) unacknowledged messages: ended", metadata: metadata)
                stopped = true
                wire.endForAcknowledgement()
                return
            }
        }
        read()
    }

    @discardableResult
    func stop() -> Task<Void, Never> {
        stopped = true
        work?.cancel()
        return registrar.disconnect(after: work)
    }

    private var metadata: Logger.Metadata {
        registrar.metadata
    }

    private func onLoop(_ body: @escaping @Sendable (DeviceQueueFollower) -> Void) {
        if socket.eventLoop.inEventLoop {
            body(self)
        } else {
            socket.eventLoop.execute { body(self) }
        }
    }
}
