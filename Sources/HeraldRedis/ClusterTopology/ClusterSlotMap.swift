/// Which master serves each of the 16384 slots, and which other nodes the cluster reported (candidates for the next
/// read of the map when the masters are gone).
///
/// Read from `CLUSTER SHARDS` (Redis 7) or, from older servers, `CLUSTER SLOTS`; a reply from a node that does not
/// know its own endpoint names the node by an empty host, which stands for the host the reply came from.
struct ClusterSlotMap: Sendable, Hashable {
    /// Every master that serves at least one slot, in the order first seen.
    private(set) var masters: [RedisNodeAddress] = []
    /// Every node the cluster reported (masters first), for reading the map again.
    private(set) var nodes: [RedisNodeAddress] = []
    /// For each slot, its master's index in ``masters``, or `unassigned`.
    private var owners = [UInt16](repeating: unassigned, count: ClusterSlot.count)
    private static let unassigned = UInt16.max

    /// The master serving `slot`, `nil` while no node serves it.
    func master(of slot: ClusterSlot) -> RedisNodeAddress? {
        let owner = owners[slot.number]
        return owner == Self.unassigned ? nil : masters[Int(owner)]
    }

    /// The masters that serve at least one slot now (a `MOVED` may have taken every slot from one), in the order
    /// first seen; kept up to date by ``assign(_:to:)`` so routing a keyless command does not scan the slots.
    private(set) var servingMasters: [RedisNodeAddress] = []

    /// Whether both maps give every slot the same master (nodes list the cluster in different orders, so two reads of
    /// one cluster may differ in ``masters``' order only).
    func assignsSlotsLike(_ other: ClusterSlotMap) -> Bool {
        (0..<ClusterSlot.count).allSatisfy { master(of: ClusterSlot($0)) == other.master(of: ClusterSlot($0)) }
    }

    /// Whether every slot has a master.
    var coversEverySlot: Bool {
        !owners.contains(Self.unassigned)
    }

    /// Records that `slots` are served by `master` (a `MOVED` reply, or a range of the map being read). Slots outside
    /// 0…16383 are ignored, and so is a master beyond the 65,535th one a reply names (a map has at most 16,384), so a
    /// reply from a broken or hostile node cannot make the client loop or trap.
    mutating func assign(_ slots: ClosedRange<Int>, to master: RedisNodeAddress) {
        guard slots.overlaps(0...ClusterSlot.count - 1) else {
            return
        }
        let index: Int
        if let known = masters.firstIndex(of: master) {
            index = known
        } else {
            guard masters.count < Int(Self.unassigned) else {
                return
            }
            index = masters.count
            masters.append(master)
        }
        noteNode(master)
        for slot in slots.clamped(to: 0...ClusterSlot.count - 1) {
            owners[slot] = UInt16(index)
        }
        servingMasters = Set(owners).sorted().compactMap { $0 == Self.unassigned ? nil : masters[Int($0)] }
    }

    private mutating func noteNode(_ node: RedisNodeAddress) {
        if !nodes.contains(node) {
            nodes.append(node)
        }
    }

    /// Reads a `CLUSTER SHARDS` reply from the node at `origin`; `nil` when it is not one. With `tls` a node's
    /// `tls-port` is used where it has one.
    ///
    /// Each shard is a flat map `slots [start end …] nodes [node …]`, each node a flat map with `ip`, `endpoint`,
    /// `port`, `role` and `health`. A shard's master is its `online` master, else whichever master it lists (then the
    /// shard's commands fail as unavailable until a replica takes over).
    init?(shards reply: RedisValue, origin: RedisNodeAddress, tls: Bool = false) {
        guard let shards = reply.array else {
            return nil
        }
        for shard in shards {
            guard let fields = Self.fields(of: shard), let slots = fields["slots"]?.array, let nodes = fields["nodes"]?.array
            else {
                return nil
            }
            var master: RedisNodeAddress?
            var masterIsOnline = false
            for node in nodes {
                guard let fields = Self.fields(of: node), let address = Self.address(fields, origin: origin, tls: tls) else {
                    continue
                }
                noteNode(address)
                let isMaster = fields["role"]?.string == "master"
                let isOnline = fields["health"]?.string == "online"
                if isMaster && (master == nil || (isOnline && !masterIsOnline)) {
                    master = address
                    masterIsOnline = isOnline
                }
            }
            guard let master else {
                continue
            }
            var bounds = slots.compactMap(\.int)[...]
            while bounds.count >= 2, let start = bounds.popFirst(), let end = bounds.popFirst(), start <= end {
                assign(start...end, to: master)
            }
        }
    }

    /// Reads a `CLUSTER SLOTS` reply (`[[start, end, [ip, port, id], replicas…], …]`) from the node at `origin`;
    /// `nil` when it is not one.
    init?(slots reply: RedisValue, origin: RedisNodeAddress) {
        guard let ranges = reply.array else {
            return nil
        }
        for range in ranges {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].int, let end = parts[1].int, start <= end
            else {
                return nil
            }
            let nodes = parts[2...].compactMap { node -> RedisNodeAddress? in
                guard let fields = node.array, fields.count >= 2, let host = fields[0].string, let port = fields[1].int else {
                    return nil
                }
                guard Self.isPort(port) else {
                    return nil
                }
                return RedisNodeAddress(host: host.isEmpty || host == "?" ? origin.host : host, port: port)
            }
            guard let master = nodes.first else {
                return nil
            }
            assign(start...end, to: master)
            for replica in nodes.dropFirst() {
                noteNode(replica)
            }
        }
    }

    private static func fields(of value: RedisValue) -> [String: RedisValue]? {
        guard let flat = value.array, flat.count.isMultiple(of: 2) else {
            return nil
        }
        var fields: [String: RedisValue] = [:]
        for index in stride(from: 0, to: flat.count, by: 2) {
            guard let name = flat[index].string else {
                return nil
            }
            fields[name] = flat[index + 1]
        }
        return fields
    }

    private static func address(_ fields: [String: RedisValue], origin: RedisNodeAddress, tls: Bool) -> RedisNodeAddress? {
        let ports = tls ? [fields["tls-port"], fields["port"]] : [fields["port"], fields["tls-port"]]
        guard let port = ports.lazy.compactMap({ $0?.int }).first, isPort(port) else {
            return nil
        }
        let host = [fields["endpoint"]?.string, fields["ip"]?.string].compactMap { $0 }.first { !$0.isEmpty && $0 != "?" }
        return RedisNodeAddress(host: host ?? origin.host, port: port)
    }

    private static func isPort(_ number: Int) -> Bool {
        (1...65535).contains(number)
    }
}
