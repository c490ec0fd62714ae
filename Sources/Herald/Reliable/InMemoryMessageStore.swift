import NIOConcurrencyHelpers

/// The embedded ``MessageStore``: everything in this process's memory, behind one lock (so each call is atomic).
///
/// Used when no Redis is configured; state is lost on restart and not shared between processes.
public final class InMemoryMessageStore: MessageStore, QueueDepthSampling {
    private struct UserKey: Hashable {
        let site: String
        let userRoom: String
    }

    private struct SharedRoomKey: Hashable {
        let site: String
        let room: String
    }

    private struct Device {
        var connectedSockets = 0
        var disconnectedAt: Int64?
        var queue = DeviceQueue()
    }

    private struct User {
        var devices: [String: Device] = [:]
        var sharedRooms: Set<String> = []
    }

    private struct State {
        var users: [UserKey: User] = [:]
        var members: [SharedRoomKey: Set<String>] = [:]
    }

    private let settings: MessageStoreSettings
    private let clock: any WallClock
    private let state = NIOLockedValueBox(State())

    /// Creates an empty store.
    public init(settings: MessageStoreSettings, clock: any WallClock = SystemWallClock()) {
        self.settings = settings
        self.clock = clock
    }

    public func connect(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError)
        -> DeviceRegistration
    {
        register(device, sharedRooms: sharedRooms, maxDevices: maxDevices, resuming: false)
    }

    public func resume(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError)
        -> DeviceRegistration
    {
        register(device, sharedRooms: sharedRooms, maxDevices: maxDevices, resuming: true)
    }

    /// Registers a socket of `device`; `resuming` counts it only when the device has no connected socket.
    private func register(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int, resuming: Bool) -> DeviceRegistration {
        let now = clock.milliseconds
        return state.withLockedValue { state in
            let userKey = UserKey(site: device.site, userRoom: device.userRoom)
            var user = state.users[userKey] ?? User()
            var record = Device()
            var evicted = 0
            if let known = user.devices[device.deviceID], !isExpired(known, now: now) {
                record = known
            } else {
                user.devices = user.devices.filter { !isExpired($0.value, now: now) }
                guard let count = makeRoom(in: &user, maxDevices: maxDevices) else { return .refused }
                evicted = count
            }
            if !resuming || record.connectedSockets == 0 {
                record.connectedSockets += 1
            }
            record.disconnectedAt = nil
            let backlog: DeviceBacklog
            if record.queue.overflowed {
                record.queue.removeAll()
                backlog = DeviceBacklog(messages: [], overflowed: true)
            } else {
                backlog = DeviceBacklog(messages: record.queue.messages, overflowed: false)
            }
            user.devices[device.deviceID] = record
            let rooms = Set(sharedRooms.map { $0.lowercased() })
            for room in user.sharedRooms.subtracting(rooms) {
                state.members[SharedRoomKey(site: device.site, room: room)]?.remove(device.userRoom)
            }
            for room in rooms.subtracting(user.sharedRooms) {
                state.members[SharedRoomKey(site: device.site, room: room), default: []].insert(device.userRoom)
            }
            user.sharedRooms = rooms
            state.users[userKey] = user
            return .registered(backlog, evicted: evicted)
        }
    }

    /// Forgets the devices of `user` offline the longest until a new one fits under `maxDevices`; returns how many
    /// went, or nil (and leaves `user` alone) when too many of them are connected.
    private func makeRoom(in user: inout User, maxDevices: Int) -> Int? {
        let excess = user.devices.count - (maxDevices - 1)
        guard excess > 0 else { return 0 }
        let offline = user.devices.compactMap { id, device in device.disconnectedAt.map { (since: $0, id: id) } }
        guard offline.count >= excess else { return nil }
        for device in offline.sorted(by: { ($0.since, $0.id) < ($1.since, $1.id) }).prefix(excess) {
            user.devices[device.id] = nil
        }
        return excess
    }

    public func disconnect(_ device: DeviceKey) async throws(StoreError) {
        let now = clock.milliseconds
        state.withLockedValue { state in
            let userKey = UserKey(site: device.site, userRoom: device.userRoom)
            guard var record = state.users[userKey]?.devices[device.deviceID], record.connectedSockets > 0 else { return }
            record.connectedSockets -= 1
            if record.connectedSockets == 0 { record.disconnectedAt = now }
            state.users[userKey]?.devices[device.deviceID] = record
        }
    }

    public func userRooms(site: String, sharedRoom: String) async throws(StoreError) -> Set<String> {
        state.withLockedValue { $0.members[SharedRoomKey(site: site, room: sharedRoom.lowercased())] ?? [] }
    }

    public func enqueue(_ message: StoredMessage, site: String, userRooms: Set<String>) async throws(StoreError)
        -> [DeviceKey]
    {
        let now = clock.milliseconds
        return state.withLockedValue { state in
            var holders: [DeviceKey] = []
            for userRoom in userRooms {
                let userKey = UserKey(site: site, userRoom: userRoom)
                guard let deviceIDs = state.users[userKey].map({ Array($0.devices.keys) }) else { continue }
                // Each queue is changed in place (through the dictionaries' accessors): a copy taken out and written
                // back, or a snapshot of the devices held meanwhile, would copy the whole queue on every message.
                for deviceID in deviceIDs {
                    guard let expired = state.users[userKey]?.devices[deviceID].map({ isExpired($0, now: now) }) else {
                        continue
                    }
                    if expired {
                        state.users[userKey]?.devices[deviceID] = nil
                        continue
                    }
                    state.users[userKey]?.devices[deviceID]?.queue.insert(message, capacity: settings.maxQueueLength)
                    holders.append(DeviceKey(site: site, userRoom: userRoom, deviceID: deviceID))
                }
                if let user = state.users[userKey], user.devices.isEmpty {
                    forget(userKey, user: user, in: &state)
                }
            }
            return holders
        }
    }

    public func acknowledge(_ device: DeviceKey, id: FlakeID, resync: Bool) async throws(StoreError) -> AckOutcome {
        state.withLockedValue { state in
            let userKey = UserKey(site: device.site, userRoom: device.userRoom)
            return state.users[userKey]?.devices[device.deviceID]?.queue.acknowledge(id, resync: resync) ?? .notQueued
        }
    }

    public func acknowledgeBatch(_ device: DeviceKey, ids: [FlakeID]) async throws(StoreError) {
        state.withLockedValue { state in
            let userKey = UserKey(site: device.site, userRoom: device.userRoom)
            for id in ids {
                state.users[userKey]?.devices[device.deviceID]?.queue.remove(id)
            }
        }
    }

    public func acknowledgeThrough(_ device: DeviceKey, id: FlakeID) async throws(StoreError) -> Int {
        state.withLockedValue { state in
            let userKey = UserKey(site: device.site, userRoom: device.userRoom)
            return state.users[userKey]?.devices[device.deviceID]?.queue.removeThrough(id) ?? 0
        }
    }

    public func queued(_ device: DeviceKey, after id: FlakeID?) async throws(StoreError) -> DeviceBacklog {
        state.withLockedValue { state in
            let userKey = UserKey(site: device.site, userRoom: device.userRoom)
            guard var record = state.users[userKey]?.devices[device.deviceID] else {
                return DeviceBacklog(messages: [], overflowed: false)
            }
            guard record.queue.overflowed else {
                return DeviceBacklog(messages: record.queue.stored(after: id), overflowed: false)
            }
            record.queue.removeAll()
            state.users[userKey]?.devices[device.deviceID] = record
            return DeviceBacklog(messages: [], overflowed: true)
        }
    }

    public func queuedMessagesBySite() -> [String: Int] {
        state.withLockedValue { state in
            var counts: [String: Int] = [:]
            for (userKey, user) in state.users {
                counts[userKey.site, default: 0] += user.devices.values.reduce(0) { $0 + $1.queue.messages.count }
            }
            return counts
        }
    }

    /// Forgets devices offline longer than `device_ttl` and users left without devices; call now and then so
    /// memory does not hold users who never come back.
    public func purgeExpired() {
        let now = clock.milliseconds
        state.withLockedValue { state in
            for (userKey, var user) in state.users {
                let before = user.devices.count
                user.devices = user.devices.filter { !isExpired($0.value, now: now) }
                if user.devices.isEmpty {
                    forget(userKey, user: user, in: &state)
                } else if user.devices.count != before {
                    state.users[userKey] = user
                }
            }
        }
    }

    private func forget(_ userKey: UserKey, user: User, in state: inout State) {
        state.users[userKey] = nil
        for room in user.sharedRooms {
            let key = SharedRoomKey(site: userKey.site, room: room)
            state.members[key]?.remove(userKey.userRoom)
            if state.members[key]?.isEmpty == true { state.members[key] = nil }
        }
    }

    private func isExpired(_ device: Device, now: Int64) -> Bool {
        guard settings.deviceTTL > 0, device.connectedSockets == 0, let since = device.disconnectedAt else { return false }
        return now - since >= Int64(settings.deviceTTL) * 1000
    }
}
