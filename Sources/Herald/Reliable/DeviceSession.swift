import Logging
import NIOCore
import SocketIO

/// Reliable delivery for one device on one connected socket: live messages with acks, the `_batch` of what the
/// device missed, and `_resync` when the client must reload — in Socket.IO's form or in the form of the socket's wire
/// (``ReliableDelivery``).
///
/// The session is listed in ``DeviceSessions`` before the store reads the device's backlog, so no message stored
/// after that read is missed. Every live copy of a message carries its ``FlakeID``; the session sends each ID at
/// most once on its socket:
/// - live messages arriving before the socket is connected are held back and sent after the `_batch`, minus those
///   the `_batch` already carried;
/// - the IDs the `_batch` carried are remembered, and a live copy of one of them arriving later is dropped. That
///   copy comes from a send that stored the message just before the backlog was read and emitted it just after —
///   on this instance or, through the cluster bus, on another one, so both forms of the race end here. Membership,
///   not an "IDs up to the newest in the batch" watermark: IDs from concurrent sends (or other instances' clocks)
///   are stored out of ID order, and a watermark would hold back a newer-stored, lower-ID message until the next
///   reconnect.
/// - when the store could not be reached at connect, the session registers the device again until the store
///   answers, then sends the `_batch` minus the messages it already emitted live whose acks the store has not
///   recorded yet; until then the socket stays in the reliable room, so each message reaches it through this
///   session only (with an ack where the device's queue holds it), never also as a plain broadcast.
///
/// - when live deliveries may have been lost (the cluster bus was cut off), ``catchUp()`` asks the store again what
///   the device is owed (``MessageStore/resume(_:sharedRooms:maxDevices:)``) and sends it the same way.
///
/// Acks that the store fails to record are retried (``StoreRetry``), in the order the client sent them.
///
/// Mutable state is confined to the socket's event loop (hence `@unchecked Sendable`); public entry points hop
/// there.
final class DeviceSession: @unchecked Sendable {
    /// How long a live message waits for its ack; an unacknowledged message stays queued for the next `_batch`.
    static let ackTimeout: TimeAmount = .minutes(10)

    /// How registering the device with the store ended.
    enum Registration: Sendable {
        /// Registered; `evicted` devices of the user were forgotten to make room.
        case registered(evicted: Int)
        /// A new device of a user whose devices are all connected, at the site's `maxDevicesPerUser`.
        case refused
        /// The store could not be reached; the session registers the device again once the socket is connected.
        case unavailable
    }

    /// A live message that arrived before the socket was connected.
    private struct HeldBack {
        let message: StoredMessage
        let stored: Bool
        let resync: Bool
    }

    let device: DeviceKey
    let socket: Socket
    /// How messages reach the client: Socket.IO emits, or the socket's wire's own protocol.
    private let delivery: any ReliableDelivery
    private let store: any MessageStore
    private let logger: Logger
    private let metrics: SiteMetrics
    private let acks: PendingAckBudget
    private var backlog: DeviceBacklog?
    private var active = false
    private var heldBack: [HeldBack] = []
    /// IDs the `_batch` carried whose live copy has not come yet.
    private var batched: Set<FlakeID> = []
    /// IDs sent on this socket (live with an ack request, or in a `_batch`) whose ack the store has not recorded
    /// yet: a `_batch` read meanwhile (a late registration, a catch-up) leaves them out.
    private var unrecorded: Set<FlakeID> = []
    /// What the device registers with, kept to register again or to resume.
    private var registration: (sharedRooms: [String], maxDevices: Int)?
    /// Whether the store could not be reached at connect, so the device is still to be registered.
    private var registrationPending = false
    /// The tasks registering the device again or resuming it, cancelled when the socket leaves; each removes itself
    /// when done, so a long-lived socket through many Redis outages keeps none.
    private var registrations: [Int: Task<Void, Never>] = [:]
    private var nextRegistration = 0
    private let retry = StoreRetry()
    /// The device's registration with the store and the socket's disconnect from it.
    private let registrar: DeviceRegistrar
    /// The socket left; nothing more is asked of the store for it.
    private var stopped = false
    /// The latest store update of this session; each new one waits for it, so the store sees acks in the order
    /// the client sent them (an out-of-order ack means something with `resync`).
    private var lastUpdate: Task<Void, Never>?

    init(
        device: DeviceKey,
        socket: Socket,
        store: any MessageStore,
        acks: PendingAckBudget,
        logger: Logger,
        metrics: SiteMetrics
    ) {
        self.metrics = metrics
        self.device = device
        self.socket = socket
        self.delivery = socket.reliableDelivery
        self.store = store
        self.acks = acks
        self.logger = logger
        self.registrar = DeviceRegistrar(device: device, socketID: socket.id, store: store, logger: logger, metrics: metrics)
    }

    /// Registers the device with the store while the socket is being admitted (so a refusal can answer the
    /// client's CONNECT); `sharedRooms` are its user's shared rooms. The backlog waits for ``activate()``.
    func register(sharedRooms: [String], maxDevices: Int) async -> Registration {
        onLoop { $0.registration = (sharedRooms, maxDevices) }
        switch await registrar.registerAtAdmission(sharedRooms: sharedRooms, maxDevices: maxDevices) {
        case .refused?:
            return .refused
        case .registered(let backlog, let evicted)?:
            onLoop { $0.backlog = backlog }
            return .registered(evicted: evicted)
        case nil:
            onLoop { $0.registrationPending = true }
            return .unavailable
        }
    }

    /// Sends what the device is owed once its socket is connected: the `_batch` (or `_resync`), then the live
    /// messages that arrived meanwhile. Called on the socket's event loop.
    func activate() {
        active = true
        if let backlog {
            self.backlog = nil
            deliverBacklog(backlog)
        } else if registrationPending, let registration {
            registrationPending = false
            registerAgain(sharedRooms: registration.sharedRooms, maxDevices: registration.maxDevices, resuming: false)
        }
        let held = heldBack
        heldBack = []
        for item in held {
            emitLive(item.message, stored: item.stored, resync: item.resync)
        }
    }

    /// Tells the store the device's socket left, after its acks were recorded (so they never cross). Called on the
    /// socket's event loop.
    @discardableResult
    func stop() -> Task<Void, Never> {
        stopped = true
        for registration in registrations.values {
            registration.cancel()
        }
        return registrar.disconnect(after: lastUpdate)
    }

    /// Runs `update` after every earlier one of this session and returns its task. Called on the socket's event
    /// loop.
    @discardableResult
    private func enqueueUpdate(_ update: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let previous = lastUpdate
        let task = Task {
            await previous?.value
            await update()
        }
        lastUpdate = task
        return task
    }

    /// Live deliveries to this device may have been lost (the cluster bus was cut off): asks the store again what
    /// the device is owed and sends it as a `_batch`, minus what already went out live. A session still waiting for
    /// its first registration or not yet connected skips it (its `_batch` is still to come).
    func catchUp() {
        onLoop { session in
            guard session.active, !session.stopped, !session.registrationPending, let registration = session.registration
            else { return }
            session.registerAgain(sharedRooms: registration.sharedRooms, maxDevices: registration.maxDevices, resuming: true)
        }
    }

    /// Registers the device (or, `resuming`, asks for its backlog without counting the socket again) until the store
    /// answers (pausing as ``StoreRetry`` does, without giving up while the socket is connected), then sends what the
    /// device is owed. Later acks queue behind it, so the store records them after it; ``stop()`` cancels it. Called
    /// on the socket's event loop.
    private func registerAgain(sharedRooms: [String], maxDevices: Int, resuming: Bool) {
        let retry = StoreRetry(firstPause: .milliseconds(250), longestPause: .seconds(5), window: nil)
        let id = nextRegistration
        nextRegistration += 1
        let registration = enqueueUpdate { [self] in
            defer { onLoop { $0.registrations[id] = nil } }
            guard
                let backlog = await registrar.registerUntilAnswered(
                    sharedRooms: sharedRooms,
                    maxDevices: maxDevices,
                    resuming: resuming,
                    retry: retry
                )
            else { return }
            onLoop { $0.registeredLate(backlog) }
        }
        registrations[id] = registration
    }

    /// Sends the backlog of a registration that succeeded after the socket connected, minus what went out live and
    /// awaits its ack. Called on the socket's event loop.
    private func registeredLate(_ backlog: DeviceBacklog) {
        var backlog = backlog
        backlog.messages.removeAll { unrecorded.contains($0.id) }
        deliverBacklog(backlog)
    }

    var eventLoop: any EventLoop { socket.eventLoop }

    /// Emits `message` live; when the device's queue holds it (`stored`), with an ack that removes it. Called on the
    /// socket's event loop.
    func deliverOnLoop(_ message: StoredMessage, stored: Bool, resync: Bool) {
        guard active else {
            if heldBack.count < acks.limit {
                heldBack.append(HeldBack(message: message, stored: stored, resync: resync))
            } else {
                metrics.deferredLiveEmit()
            }
            return
        }
        emitLive(message, stored: stored, resync: resync)
    }

    private func emitLive(_ message: StoredMessage, stored: Bool, resync: Bool) {
        guard batched.remove(message.id) == nil else { return }
        guard stored else {
            delivery.sendUnstored(message)
            return
        }
        guard acks.reserve() else {
            metrics.deferredLiveEmit()
            return
        }
        unrecorded.insert(message.id)
        delivery.send(message, timeout: Self.ackTimeout) { [self] acknowledged in
            acks.release()
            guard acknowledged else {
                unrecorded.remove(message.id)
                return
            }
            acknowledge(message.id, resync: resync)
        }
    }

    private func acknowledge(_ id: FlakeID, resync: Bool) {
        enqueueUpdate { [self] in
            var outcome: AckOutcome?
            _ = await retry.run("ack", logger: logger, metadata: metadata) { () throws(StoreError) in
                outcome = try await store.acknowledge(device, id: id, resync: resync)
            }
            onLoop { $0.unrecorded.remove(id) }
            guard let outcome else { return }
            metrics.acknowledged(1)
            if case .resync(let event) = outcome {
                onLoop { $0.delivery.sendResync(event: event) }
            }
        }
    }

    private func deliverBacklog(_ backlog: DeviceBacklog) {
        if backlog.overflowed {
            delivery.sendResync(event: nil)
            return
        }
        guard !backlog.messages.isEmpty else { return }
        let ids = backlog.messages.map(\.id)
        batched.formUnion(ids)
        unrecorded.formUnion(ids)
        metrics.replayed(ids.count)
        delivery.sendBatch(backlog.messages, timeout: Self.ackTimeout) { [self] acknowledged in
            guard acknowledged else {
                unrecorded.subtract(ids)
                return
            }
            enqueueUpdate { [self] in
                let recorded = await retry.run("batch ack", logger: logger, metadata: metadata) { () throws(StoreError) in
                    try await store.acknowledgeBatch(device, ids: ids)
                }
                onLoop { $0.unrecorded.subtract(ids) }
                if recorded {
                    metrics.acknowledged(ids.count)
                }
            }
        }
    }

    private var metadata: Logger.Metadata {
        registrar.metadata
    }

    private func onLoop(_ body: @escaping @Sendable (DeviceSession) -> Void) {
        if socket.eventLoop.inEventLoop {
            body(self)
        } else {
            socket.eventLoop.execute { body(self) }
        }
    }
}
