import NIOConcurrencyHelpers

/// The ``PresenceStore`` of one process: a table behind one lock, each method one critical section. Stores made on
/// one ``InMemoryPresenceTable`` with different instance IDs act as instances sharing a store (as the contract tests
/// use them).
public final class InMemoryPresenceStore: PresenceStore {
    public let instanceID: String
    private let table: InMemoryPresenceTable

    /// A store recording sockets for `instanceID` in `table`.
    public init(instanceID: String = "local", table: InMemoryPresenceTable = InMemoryPresenceTable()) {
        self.instanceID = instanceID
        self.table = table
    }

    public func arrive(_ member: PresenceMember, site: String, rooms: [String]) async throws(StoreError) -> [String] {
        table.arrive(member, site: site, rooms: rooms, instance: instanceID)
    }

    public func depart(_ member: PresenceMember, site: String, rooms: [String], leave: String) async throws(StoreError)
        -> [String]
    {
        table.depart(member, site: site, rooms: rooms, leave: leave, instance: instanceID)
    }

    public func expire(_ member: PresenceMember, site: String, rooms: [String], leave: String) async throws(StoreError)
        -> [String]
    {
        table.expire(member, site: site, rooms: rooms, leave: leave)
    }

    public func members(site: String, room: String) async throws(StoreError) -> [PresenceMember] {
        table.members(site: site, room: room)
    }

    public func reap(instance: String) async throws(StoreError) -> [PresenceDeparture] {
        table.reap(instance: instance)
    }
}

/// Room presence of every site, shared by the ``InMemoryPresenceStore``s made on it.
public final class InMemoryPresenceTable: Sendable {
    private struct RoomKey: Hashable {
        let site: String
        let room: String
    }

    /// A device in a room: its sockets there per instance, and its pending leave (the instance holding its timer and
    /// the leave's token) once none is left.
    private struct Entry {
        var sockets: [String: Int] = [:]
        var pendingLeave: (instance: String, token: String)?

        var socketCount: Int { sockets.values.reduce(0, +) }
    }

    private let rooms = NIOLockedValueBox<[RoomKey: [PresenceMember: Entry]]>([:])

    /// An empty table.
    public init() {}

    fileprivate func arrive(_ member: PresenceMember, site: String, rooms names: [String], instance: String) -> [String] {
        rooms.withLockedValue { rooms in
            var arrived: [String] = []
            for room in Set(names) {
                let key = RoomKey(site: site, room: room)
                var entry =
                    rooms[key, default: [:]][member]
                    ?? {
                        arrived.append(room)
                        return Entry()
                    }()
                entry.sockets[instance, default: 0] += 1
                entry.pendingLeave = nil
                rooms[key, default: [:]][member] = entry
            }
            return arrived.sorted()
        }
    }

    fileprivate func depart(_ member: PresenceMember, site: String, rooms names: [String], leave: String, instance: String)
        -> [String]
    {
        rooms.withLockedValue { rooms in
            var pending: [String] = []
            for room in Set(names) {
                let key = RoomKey(site: site, room: room)
                guard var entry = rooms[key]?[member], let held = entry.sockets[instance], held > 0 else { continue }
                entry.sockets[instance] = held > 1 ? held - 1 : nil
                if entry.socketCount == 0 {
                    entry.pendingLeave = (instance, leave)
                    pending.append(room)
                }
                rooms[key]?[member] = entry
            }
            return pending.sorted()
        }
    }

    fileprivate func expire(_ member: PresenceMember, site: String, rooms names: [String], leave: String) -> [String] {
        rooms.withLockedValue { rooms in
            var left: [String] = []
            for room in Set(names) {
                let key = RoomKey(site: site, room: room)
                guard let entry = rooms[key]?[member], entry.socketCount == 0, entry.pendingLeave?.token == leave else { continue }
                Self.remove(member, from: key, in: &rooms)
                left.append(room)
            }
            return left.sorted()
        }
    }

    fileprivate func members(site: String, room: String) -> [PresenceMember] {
        rooms.withLockedValue { rooms in
            rooms[RoomKey(site: site, room: room)].map { Array($0.keys) } ?? []
        }
    }

    fileprivate func reap(instance: String) -> [PresenceDeparture] {
        rooms.withLockedValue { rooms in
            var gone: [PresenceDeparture] = []
            for (key, members) in rooms {
                for (member, var entry) in members {
                    let heldSockets = entry.sockets.removeValue(forKey: instance) != nil
                    let heldLeave = entry.pendingLeave?.instance == instance
                    guard heldSockets || heldLeave else { continue }
                    if entry.socketCount == 0 && (heldLeave || entry.pendingLeave == nil) {
                        Self.remove(member, from: key, in: &rooms)
                        gone.append(PresenceDeparture(site: key.site, room: key.room, member: member))
                    } else {
                        rooms[key]?[member] = entry
                    }
                }
            }
            return gone
        }
    }

    private static func remove(_ member: PresenceMember, from key: RoomKey, in rooms: inout [RoomKey: [PresenceMember: Entry]]) {
        rooms[key]?[member] = nil
        if rooms[key]?.isEmpty == true {
            rooms[key] = nil
        }
    }
}
