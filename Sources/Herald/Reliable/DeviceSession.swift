import Logging
import NIOCore
import SocketIO

/// Reliable delivery for one device on one connected socket: live messages with acks, the `_batch` of what the
/// device missed, and `_resync` when the client must reload.
///
/// Mutable state is confined to the socket's event loop (hence `@unchecked Sendable`); public entry points hop
/// there.
final class DeviceSession: @unchecked Sendable {
    /// How long a live message waits for its ack; an unacknowledged message stays queued for the next `_batch`.
    static let ackTimeout: TimeAmount = .minutes(10)

    let device: DeviceKey
    let socket: Socket
    private let store: any MessageStore
    private let logger: Logger
    private let metrics: SiteMetrics
    private var awaitingBacklog = true
    private var emittedWhileAwaitingBacklog: Set<FlakeID> = []
    private var registration: Task<Void, Never>?
    /// The latest store update of this session; each new one waits for it, so the store sees acks in the order
    /// the client sent them (an out-of-order ack means something with `resync`).
    private var lastUpdate: Task<Void, Never>?

    init(device: DeviceKey, socket: Socket, store: any MessageStore, logger: Logger, metrics: SiteMetrics) {
        self.metrics = metrics
        self.device = device
        self.socket = socket
        self.store = store
        self.logger = logger
    }

    /// Registers the device with the store, then calls `registered` on the socket's event loop (the gateway sends
    /// `_settings` there, so a client that has it knows its device is known) and sends the backlog; `sharedRooms`
    /// are its user's shared rooms.
    func start(sharedRooms: [String], registered: @escaping @Sendable () -> Void) {
        registration = Task { [self] in
            do {
                let backlog = try await store.connect(device, sharedRooms: sharedRooms)
                onLoop { session in
                    registered()
                    session.deliverBacklog(backlog)
                }
            } catch {
                logger.warning("device registration failed: \(error); live delivery only", metadata: metadata)
                onLoop { session in
                    session.awaitingBacklog = false
                    session.socket.leave(ReliableRoom.name)
                    registered()
                }
            }
        }
    }

    /// Tells the store the device's socket left, after its registration and acks were recorded (so they never
    /// cross). Called on the socket's event loop.
    @discardableResult
    func stop() -> Task<Void, Never> {
        let registration = self.registration
        let lastUpdate = self.lastUpdate
        let store = self.store
        let device = self.device
        let logger = self.logger
        let metadata = self.metadata
        return Task {
            await registration?.value
            await lastUpdate?.value
            do {
                try await store.disconnect(device)
            } catch {
                logger.warning("device disconnect not recorded: \(error)", metadata: metadata)
            }
        }
    }

    /// Runs `update` after every earlier one of this session. Called on the socket's event loop.
    private func enqueueUpdate(_ update: @escaping @Sendable () async -> Void) {
        let previous = lastUpdate
        lastUpdate = Task {
            await previous?.value
            await update()
        }
    }

    /// Emits `message`; when the device's queue holds it (`stored`), with an ack that removes it.
    func deliver(_ message: StoredMessage, stored: Bool, resync: Bool) {
        onLoop { session in
            guard stored else {
                session.socket.emit(message.event, message.arguments)
                return
            }
            if session.awaitingBacklog { session.emittedWhileAwaitingBacklog.insert(message.id) }
            session.socket.emit(message.event, message.arguments, timeout: Self.ackTimeout) { result in
                guard case .success = result else { return }
                session.acknowledge(message.id, resync: resync)
            }
        }
    }

    private func acknowledge(_ id: FlakeID, resync: Bool) {
        enqueueUpdate { [self] in
            do {
                let outcome = try await store.acknowledge(device, id: id, resync: resync)
                metrics.acknowledged(1)
                if case .resync(let event) = outcome {
                    socket.emit("_resync", [.string(event)])
                }
            } catch {
                logger.warning("ack not recorded: \(error)", metadata: metadata)
            }
        }
    }

    private func deliverBacklog(_ backlog: DeviceBacklog) {
        awaitingBacklog = false
        let alreadySent = emittedWhileAwaitingBacklog
        emittedWhileAwaitingBacklog = []
        if backlog.overflowed {
            socket.emit("_resync", [])
            return
        }
        let missed = backlog.messages.filter { !alreadySent.contains($0.id) }
        guard !missed.isEmpty else { return }
        let ids = missed.map(\.id)
        metrics.replayed(ids.count)
        socket.emit("_batch", [.array(missed.map(\.batchEntry))], timeout: Self.ackTimeout) { [self] result in
            guard case .success = result else { return }
            enqueueUpdate { [self] in
                do {
                    try await store.acknowledgeBatch(device, ids: ids)
                    metrics.acknowledged(ids.count)
                } catch {
                    logger.warning("batch ack not recorded: \(error)", metadata: metadata)
                }
            }
        }
    }

    private var metadata: Logger.Metadata {
        ["site": "\(device.site)", "socketId": "\(socket.id)", "deviceId": "\(device.deviceID)"]
    }

    private func onLoop(_ body: @escaping @Sendable (DeviceSession) -> Void) {
        if socket.eventLoop.inEventLoop {
            body(self)
        } else {
            socket.eventLoop.execute { body(self) }
        }
    }
}
