import NIOConcurrencyHelpers
public import NIOCore

/// The in-process adapter: rooms kept per event loop, so a broadcast hops to each loop once, not once per socket.
///
/// Each ``RoomShard`` belongs to one event loop and is only touched there; the adapter itself only guards the
/// list of shards.
public final class LocalAdapter: Adapter {
    private let shards = NIOLockedValueBox<[ObjectIdentifier: RoomShard]>([:])
    private let recoveryLog = NIOLockedValueBox<RecoveryLog?>(nil)

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
        let encoded = SocketPacketEncoder.encode(packet)
        if let log = log(recording: packet, encoded) {
            log.record(text: encoded.text, options: options) { event in
                _ = dispatch(PreparedSocketPacket(recorded: event), options: options, waiting: false)
            }
        } else {
            broadcast(encoded: encoded, options: options)
        }
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

    /// Delivers an event another server recorded (its offset appended), for adapters that keep the history elsewhere;
    /// called in offset order.
    public func deliver(recorded event: RecordedEvent) {
        let prepared = PreparedSocketPacket(recorded: event)
        for shard in shards.withLockedValue({ Array($0.values) }) {
            if shard.eventLoop.inEventLoop {
                shard.deliver(prepared, options: event.options)
            } else {
                shard.eventLoop.execute { shard.deliver(prepared, options: event.options) }
            }
        }
    }

    public func broadcastAndWait(_ packet: SocketPacket, options: BroadcastOptions) async {
        let encoded = SocketPacketEncoder.encode(packet)
        if let log = log(recording: packet, encoded) {
            var pending: [EventLoopFuture<Void>] = []
            log.record(text: encoded.text, options: options) { event in
                pending = dispatch(PreparedSocketPacket(recorded: event), options: options, waiting: true)
            }
            for delivery in pending {
                try? await delivery.get()
            }
        } else {
            await broadcastAndWait(encoded: encoded, options: options)
        }
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

    /// Hands a recorded event to every shard as a task of its loop, never inline: it runs under the log's lock, and
    /// tasks keep the offset order on each loop.
    private func dispatch(_ prepared: PreparedSocketPacket, options: BroadcastOptions, waiting: Bool) -> [EventLoopFuture<Void>] {
        var pending: [EventLoopFuture<Void>] = []
        for shard in shards.withLockedValue({ Array($0.values) }) {
            if waiting {
                pending.append(shard.eventLoop.submit { shard.deliver(prepared, options: options) })
            } else {
                shard.eventLoop.execute { shard.deliver(prepared, options: options) }
            }
        }
        return pending
    }

    /// The history when recovery is on and `packet` is an event Socket.IO records (no ack, no attachments).
    private func log(recording packet: SocketPacket, _ encoded: (text: String, attachments: [ByteBuffer])) -> RecoveryLog? {
        guard case .event(_, nil, _, _) = packet, encoded.attachments.isEmpty else { return nil }
        return recoveryLog.withLockedValue { $0 }
    }

    // MARK: Connection state recovery

    public func setRecovery(_ recovery: ConnectionStateRecovery?) {
        recoveryLog.withLockedValue { log in
            guard let recovery else {
                log = nil
                return
            }
            if let log { log.update(recovery) } else { log = RecoveryLog(settings: recovery) }
        }
    }

    /// Nothing to do: this adapter's history lives and dies with the process.
    public func track(_ session: RecoverableSession) {}

    /// Nothing to do: sessions are kept only once their connection is lost.
    public func forgetSession(pid: String) {}

    public func persist(_ session: RecoverableSession) {
        recoveryLog.withLockedValue { $0 }?.persist(session)
    }

    public func session(pid: String) async -> RecoverableSession? {
        recoveryLog.withLockedValue { $0 }?.session(pid: pid)
    }

    public func takeMissedEvents(pid: String, after offset: RecoveryOffset, rooms: Set<String>) async -> MissedEvents? {
        recoveryLog.withLockedValue { $0 }?.takeMissed(pid: pid, after: offset, rooms: rooms)
    }

    public func currentOffset() async -> RecoveryOffset {
        recoveryLog.withLockedValue { $0 }?.lastOffset ?? RecoveryOffset(0)
    }

    public func deliveredOffset(on eventLoop: any EventLoop) -> RecoveryOffset? {
        shard(for: eventLoop).lastOffset
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
    /// The offset of the last recorded event delivered here.
    private(set) var lastOffset: RecoveryOffset?

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
        if let offset = packet.offset { lastOffset = offset }
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
