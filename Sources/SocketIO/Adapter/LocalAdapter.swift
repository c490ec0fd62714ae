import NIOConcurrencyHelpers
public import NIOCore

/// The in-process adapter: rooms kept per event loop, so a broadcast hops to each loop once, not once per socket.
///
/// Each ``RoomShard`` belongs to one event loop and is only touched there; the adapter itself only guards the
/// list of shards.
public final class LocalAdapter: Adapter {
    private let shards = NIOLockedValueBox<[ObjectIdentifier: RoomShard]>([:])

    /// Creates an empty adapter.
    public init() {}

    private func shard(for eventLoop: any EventLoop) -> RoomShard {
        let key = ObjectIdentifier(eventLoop)
        return shards.withLockedValue { table in
            if let shard = table[key] { return shard }
            let shard = RoomShard(eventLoop: eventLoop)
            table[key] = shard
            return shard
        }
    }

    public func add(_ socket: Socket, to rooms: [String]) {
        shard(for: socket.eventLoop).add(socket, to: rooms)
    }

    public func remove(_ socket: Socket, from room: String) {
        shard(for: socket.eventLoop).remove(socket, from: room)
    }

    public func removeAll(_ socket: Socket) {
        shard(for: socket.eventLoop).removeAll(socket)
    }

    public func broadcast(_ packet: SocketPacket, options: BroadcastOptions) {
        broadcast(encoded: SocketPacketEncoder.encode(packet), options: options)
    }

    /// Delivers a packet already in its wire form (as ``SocketPacketEncoder`` writes it), for adapters that receive
    /// it that way from other servers: nothing is parsed or encoded again.
    public func broadcast(encoded: (text: String, attachments: [ByteBuffer]), options: BroadcastOptions) {
        let prepared = PreparedSocketPacket(encoded: encoded)
        for shard in shards.withLockedValue({ Array($0.values) }) {
            if shard.eventLoop.inEventLoop {
                shard.deliver(prepared, options: options)
            } else {
                shard.eventLoop.execute { shard.deliver(prepared, options: options) }
            }
        }
    }

    public func broadcastAndWait(_ packet: SocketPacket, options: BroadcastOptions) async {
        await broadcastAndWait(encoded: SocketPacketEncoder.encode(packet), options: options)
    }

    /// Like ``broadcast(encoded:options:)``, returning once every socket selected on this process has been handed
    /// the packet.
    public func broadcastAndWait(encoded: (text: String, attachments: [ByteBuffer]), options: BroadcastOptions) async {
        let prepared = PreparedSocketPacket(encoded: encoded)
        var pending: [EventLoopFuture<Void>] = []
        for shard in shards.withLockedValue({ Array($0.values) }) {
            if shard.eventLoop.inEventLoop {
                shard.deliver(prepared, options: options)
            } else {
                pending.append(shard.eventLoop.submit { shard.deliver(prepared, options: options) })
            }
        }
        for delivery in pending {
            try? await delivery.get()
        }
    }

    public func localSockets(in rooms: Set<String>) async -> [Socket] {
        var result: [Socket] = []
        for shard in shards.withLockedValue({ Array($0.values) }) {
            let sockets = try? await shard.eventLoop.submit { shard.sockets(in: rooms) }.get()
            result += sockets ?? []
        }
        return result
    }

    public func localRooms() async -> Set<String> {
        var result: Set<String> = []
        for shard in shards.withLockedValue({ Array($0.values) }) {
            let rooms = try? await shard.eventLoop.submit { Set(shard.roomNames) }.get()
            result.formUnion(rooms ?? [])
        }
        return result
    }
}

/// The rooms of the sockets owned by one event loop.
final class RoomShard: @unchecked Sendable {
    let eventLoop: any EventLoop
    private var members: [String: Set<Socket>] = [:]
    private var everyone: Set<Socket> = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    var roomNames: Dictionary<String, Set<Socket>>.Keys { members.keys }

    func add(_ socket: Socket, to rooms: [String]) {
        eventLoop.preconditionInEventLoop()
        everyone.insert(socket)
        for room in rooms {
            members[room, default: []].insert(socket)
        }
    }

    func remove(_ socket: Socket, from room: String) {
        eventLoop.preconditionInEventLoop()
        guard members[room]?.remove(socket) != nil else { return }
        if members[room]?.isEmpty == true { members[room] = nil }
    }

    func removeAll(_ socket: Socket) {
        eventLoop.preconditionInEventLoop()
        everyone.remove(socket)
        for room in socket.rooms {
            remove(socket, from: room)
        }
    }

    func sockets(in rooms: Set<String>) -> [Socket] {
        Array(selection(rooms: rooms, except: []))
    }

    func deliver(_ packet: PreparedSocketPacket, options: BroadcastOptions) {
        eventLoop.preconditionInEventLoop()
        if options.except.isEmpty, options.rooms.count <= 1 {
            let targets = options.rooms.first.map { members[$0] ?? [] } ?? everyone
            for socket in targets { socket.deliver(packet) }
            return
        }
        for socket in selection(rooms: options.rooms, except: options.except) {
            socket.deliver(packet)
        }
    }

    private func selection(rooms: Set<String>, except: Set<String>) -> Set<Socket> {
        var selected: Set<Socket> = rooms.isEmpty ? everyone : []
        for room in rooms {
            if let sockets = members[room] { selected.formUnion(sockets) }
        }
        for room in except {
            if let sockets = members[room] { selected.subtract(sockets) }
        }
        return selected
    }
}
