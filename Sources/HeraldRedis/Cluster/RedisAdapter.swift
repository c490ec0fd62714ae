import NIOConcurrencyHelpers
public import NIOCore
public import SocketIO

/// A namespace's adapter across instances: rooms live in this process (a ``LocalAdapter``), and every broadcast is
/// delivered here directly and published once on the site's Redis channel, where each other instance that has
/// sockets of the site delivers it to its own sockets (encoding the packet once per instance).
///
/// With connection state recovery, an event that Socket.IO records is instead recorded in Redis and published with
/// its offset in one script, and reaches this instance's sockets too through the subscription: every socket, on any
/// instance, then gets the recorded events in offset order.
public final class RedisAdapter: Adapter {
    private let local = LocalAdapter()
    private let namespace: String
    private let cluster: RedisCluster
    private let history: RedisSessionHistory
    private let recovery = NIOLockedValueBox<ConnectionStateRecovery?>(nil)

    init(namespace: String, cluster: RedisCluster, history: RedisSessionHistory) {
        self.namespace = namespace
        self.cluster = cluster
        self.history = history
    }

    public func add(_ socket: Socket, to rooms: [String]) {
        local.add(socket, to: rooms)
    }

    public func remove(_ socket: Socket, from room: String) {
        local.remove(socket, from: room)
    }

    public func removeAll(_ socket: Socket) {
        local.removeAll(socket)
    }

    /// Encodes the packet once for both the local sockets and the other instances.
    public func broadcast(_ packet: SocketPacket, options: BroadcastOptions) {
        let encoded = SocketPacketEncoder.encode(packet)
        if let settings = recording(packet, encoded) {
            let (cluster, history, namespace) = (self.cluster, self.history, self.namespace)
            Task { await cluster.record(encoded.text, options: options, namespace: namespace, history: history, settings: settings) }
            return
        }
        local.broadcast(encoded: encoded, options: options)
        cluster.publishBroadcast(encoded, options: options, namespace: namespace)
    }

    /// Hands the packet to the local sockets and to Redis at the same time, and returns once both are done: the
    /// sockets here were handed it and Redis acknowledged the `PUBLISH`, so every instance subscribed to the site has
    /// it on its connection. A recorded event returns once Redis recorded and published it.
    public func broadcastAndWait(_ packet: SocketPacket, options: BroadcastOptions) async {
        let encoded = SocketPacketEncoder.encode(packet)
        if let settings = recording(packet, encoded) {
            await cluster.record(encoded.text, options: options, namespace: namespace, history: history, settings: settings)
            return
        }
        let published = cluster.publishBroadcastAcknowledged(encoded, options: options, namespace: namespace)
        await local.broadcastAndWait(encoded: encoded, options: options)
        try? await published.get()
    }

    /// Delivers a broadcast published by another instance, in the wire form it arrived in, to this instance's
    /// sockets.
    func deliverRemote(_ encoded: (text: String, attachments: [ByteBuffer]), options: BroadcastOptions) {
        local.broadcast(encoded: encoded, options: options)
    }

    /// Delivers a recorded event (from any instance, this one included) in the order the subscription brings them.
    func deliverRecorded(_ event: RecordedEvent) {
        local.deliver(recorded: event)
    }

    public func localSockets(in rooms: Set<String>) async -> [Socket] {
        await local.localSockets(in: rooms)
    }

    public func localRooms() async -> Set<String> {
        await local.localRooms()
    }

    // MARK: Connection state recovery

    public func setRecovery(_ recovery: ConnectionStateRecovery?) {
        self.recovery.withLockedValue { $0 = recovery }
    }

    public func track(_ session: RecoverableSession) {
        guard let settings = recovery.withLockedValue({ $0 }) else { return }
        history.track(session, settings: settings)
    }

    public func persist(_ session: RecoverableSession) {
        guard let settings = recovery.withLockedValue({ $0 }) else { return }
        history.release(pid: session.pid, session: session, settings: settings, keep: true)
    }

    public func forgetSession(pid: String) {
        guard let settings = recovery.withLockedValue({ $0 }) else { return }
        history.release(pid: pid, session: nil, settings: settings, keep: false)
    }

    public func session(pid: String) async -> RecoverableSession? {
        guard recovery.withLockedValue({ $0 }) != nil else { return nil }
        return await history.session(pid: pid)
    }

    public func takeMissedEvents(pid: String, after offset: RecoveryOffset, rooms: Set<String>) async -> MissedEvents? {
        guard let settings = recovery.withLockedValue({ $0 }) else { return nil }
        return await history.take(pid: pid, after: offset, rooms: rooms, settings: settings)
    }

    public func currentOffset() async -> RecoveryOffset {
        await history.currentOffset()
    }

    public func deliveredOffset(on eventLoop: any EventLoop) -> RecoveryOffset? {
        local.deliveredOffset(on: eventLoop)
    }

    /// The recovery settings when `packet` is an event Socket.IO records (no ack, no attachments) and recovery is on.
    private func recording(_ packet: SocketPacket, _ encoded: (text: String, attachments: [ByteBuffer])) -> ConnectionStateRecovery? {
        guard case .event(_, nil, _, _) = packet, encoded.attachments.isEmpty else { return nil }
        return recovery.withLockedValue { $0 }
    }
}
