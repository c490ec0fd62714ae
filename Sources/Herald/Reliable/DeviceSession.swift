import Logging
import NIOCore
import SocketIO

/// Reliable delivery for one device on one connected socket: live messages with acks, the `_batch` of what the
/// device missed, and `_resync` when the client must reload.
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
        /// The store could not be reached; the socket gets live messages only.
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
    private let store: any MessageStore
    private let logger: Logger
    private let metrics: SiteMetrics
    private let acks: PendingAckBudget
    private var backlog: DeviceBacklog?
    private var active = false
    private var heldBack: [HeldBack] = []
    /// IDs the `_batch` carried whose live copy has not come yet.
    private var batched: Set<FlakeID> = []
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
        self.store = store
        self.acks = acks
        self.logger = logger
    }

    /// Registers the device with the store while the socket is being admitted (so a refusal can answer the
    /// client's CONNECT); `sharedRooms` are its user's shared rooms. The backlog waits for ``activate()``.
    func register(sharedRooms: [String], maxDevices: Int) async -> Registration {
        do {
            switch try await store.connect(device, sharedRooms: sharedRooms, maxDevices: maxDevices) {
            case .refused:
                return .refused
            case .registered(let backlog, let evicted):
                onLoop { $0.backlog = backlog }
                return .registered(evicted: evicted)
            }
        } catch {
            logger.warning("device registration failed: \(error); live delivery only", metadata: metadata)
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
        } else {
            socket.leave(ReliableRoom.name)
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
        let lastUpdate = self.lastUpdate
        let store = self.store
        let device = self.device
        let logger = self.logger
        let metadata = self.metadata
        return Task {
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

    /// Emits `message` live; when the device's queue holds it (`stored`), with an ack that removes it.
    func deliver(_ message: StoredMessage, stored: Bool, resync: Bool) {
        onLoop { session in
            guard session.active else {
                if session.heldBack.count < session.acks.limit {
                    session.heldBack.append(HeldBack(message: message, stored: stored, resync: resync))
                } else {
                    session.metrics.deferredLiveEmit()
                }
                return
            }
            session.emitLive(message, stored: stored, resync: resync)
        }
    }

    private func emitLive(_ message: StoredMessage, stored: Bool, resync: Bool) {
        guard batched.remove(message.id) == nil else { return }
        guard stored else {
            socket.emit(message.event, message.arguments)
            return
        }
        guard acks.reserve() else {
            metrics.deferredLiveEmit()
            return
        }
        socket.emit(message.event, message.arguments, timeout: Self.ackTimeout) { [self] result in
            acks.release()
            guard case .success = result else { return }
            acknowledge(message.id, resync: resync)
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
        if backlog.overflowed {
            socket.emit("_resync", [])
            return
        }
        guard !backlog.messages.isEmpty else { return }
        let ids = backlog.messages.map(\.id)
        batched = Set(ids)
        metrics.replayed(ids.count)
        socket.emit("_batch", [.array(backlog.messages.map(\.batchEntry))], timeout: Self.ackTimeout) { [self] result in
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
