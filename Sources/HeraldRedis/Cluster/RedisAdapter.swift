import NIOCore
public import SocketIO

/// A namespace's adapter across instances: rooms live in this process (a ``LocalAdapter``), and every broadcast is
/// delivered here directly and published once on the site's Redis channel, where each other instance that has
/// sockets of the site delivers it to its own sockets (encoding the packet once per instance).
public final class RedisAdapter: Adapter {
    private let local = LocalAdapter()
    private let namespace: String
    private let cluster: RedisCluster

    init(namespace: String, cluster: RedisCluster) {
        self.namespace = namespace
        self.cluster = cluster
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
        local.broadcast(encoded: encoded, options: options)
        cluster.publishBroadcast(encoded, options: options, namespace: namespace)
    }

    /// Hands the packet to the local sockets and to Redis at the same time, and returns once both are done: the
    /// sockets here were handed it and Redis acknowledged the `PUBLISH`, so every instance subscribed to the site has
    /// it on its connection.
    public func broadcastAndWait(_ packet: SocketPacket, options: BroadcastOptions) async {
        let encoded = SocketPacketEncoder.encode(packet)
        let published = cluster.publishBroadcastAcknowledged(encoded, options: options, namespace: namespace)
        await local.broadcastAndWait(encoded: encoded, options: options)
        try? await published.get()
    }

    /// Delivers a broadcast published by another instance, in the wire form it arrived in, to this instance's
    /// sockets.
    func deliverRemote(_ encoded: (text: String, attachments: [ByteBuffer]), options: BroadcastOptions) {
        local.broadcast(encoded: encoded, options: options)
    }

    public func localSockets(in rooms: Set<String>) async -> [Socket] {
        await local.localSockets(in: rooms)
    }

    public func localRooms() async -> Set<String> {
        await local.localRooms()
    }
}
