import Logging
import SocketIO

/// Opens the reliable session of a socket's device, by how its client acknowledges: a ``DeviceQueueFollower`` when
/// the socket's wire is a ``DeviceQueueWire`` (acknowledgement by position), a ``DeviceSession`` otherwise.
struct ReliableSessionFactory: Sendable {
    let store: any MessageStore
    /// The most messages a device queue keeps (`device_queue_limit`).
    let queueCapacity: Int
    let logger: Logger

    /// The session for `device` on `socket`; `acks` is the socket's budget of unacknowledged messages.
    func session(for device: DeviceKey, on socket: Socket, acks: PendingAckBudget, metrics: SiteMetrics) -> any ReliableSession {
        guard let wire = socket.wire as? any DeviceQueueWire else {
            return DeviceSession(device: device, socket: socket, store: store, acks: acks, logger: logger, metrics: metrics)
        }
        // Half the queue: what a connection holds unacknowledged plus what arrives while its client comes back must
        // fit, or the queue overflows into a resync.
        let budget = min(acks.limit, max(1, queueCapacity / 2))
        return DeviceQueueFollower(
            device: device,
            socket: socket,
            wire: wire,
            store: store,
            budget: budget,
            logger: logger,
            metrics: metrics
        )
    }
}
