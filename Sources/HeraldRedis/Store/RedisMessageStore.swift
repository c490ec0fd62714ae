public import Herald
import SocketIO

/// The ``MessageStore`` for several Herald instances: device registry, shared-room membership and device queues in
/// Redis, each operation one Lua script (see ``RedisStoreScripts`` for the key layout).
///
/// When Redis cannot be reached every call fails with ``StoreError`` at once and changes nothing; the client
/// reconnects on its own.
///
/// With ``RedisReplicaAcknowledgements``, a message is stored only once enough replicas have it: an enqueue the
/// replicas did not acknowledge in time fails (`/send` answers 503) although the master keeps the message, and the
/// backend's retry, made safe by its `Idempotency-Key`, stores it again — at least once, never lost to a failover.
public final class RedisMessageStore: MessageStore {
    private let client: RedisClient
    private let settings: MessageStoreSettings
    private let clock: any WallClock
    private let keyPrefix: String
    private let instance: RedisInstanceSites?
    private let replicaAcknowledgements: RedisReplicaAcknowledgements?
    private let acks: RedisAckCoalescer

    /// Creates the store on `client`; keys start with `keyPrefix` (`herald` by default). With `instance`, the sockets
    /// this instance holds are recorded as its share of each site, so other instances can count them as
    /// disconnected if this one dies (see ``RedisInstanceRegistry``). With `replicaAcknowledgements`, each enqueue
    /// waits for that many replicas (`WAIT`) and fails when fewer acknowledged it in time.
    public init(
        client: RedisClient,
        settings: MessageStoreSettings,
        clock: any WallClock = SystemWallClock(),
        keyPrefix: String = "herald",
        instance: RedisInstanceSites? = nil,
        replicaAcknowledgements: RedisReplicaAcknowledgements? = nil
    ) {
        self.client = client
        self.settings = settings
        self.clock = clock
        self.keyPrefix = keyPrefix
        self.instance = instance
        self.replicaAcknowledgements = replicaAcknowledgements
        self.acks = RedisAckCoalescer { site, acks in
            await Self.record(acks, site: site, on: client, keyPrefix: keyPrefix)
        }
    }

    public func connect(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError)
        -> DeviceRegistration
    {
        try await register(device, sharedRooms: sharedRooms, maxDevices: maxDevices, resuming: false)
    }

    public func resume(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError)
        -> DeviceRegistration
    {
        try await register(device, sharedRooms: sharedRooms, maxDevices: maxDevices, resuming: true)
    }

    private func register(
        _ device: DeviceKey,
        sharedRooms: [String],
        maxDevices: Int,
        resuming: Bool
    ) async throws(StoreError) -> DeviceRegistration {
        let rooms = Array(Set(sharedRooms.map { $0.lowercased() }))
        let keys = keys(device.site)
        try await enter(device.site)
        let reply = try await run(
            RedisStoreScripts.connect,
            keys: deviceKeys(device) + rooms.map(keys.sharedRoom),
            [
                keys.prefix, device.userRoom, device.deviceID, "\(clock.milliseconds)", "\(settings.deviceTTL)",
                instanceField(device), "\(maxDevices)", resuming ? "1" : "0",
            ] + rooms
        )
        guard let parts = reply.array, parts.count == 4, let status = parts[0].int, let evicted = parts[3].int,
            let ids = parts[1].array, let entries = parts[2].array, ids.count == entries.count
        else { throw StoreError("unexpected reply to connect: \(reply)") }
        switch status {
        case 2: return .refused
        case 1: return .registered(DeviceBacklog(messages: [], overflowed: true), evicted: evicted)
        default: break
        }
        return .registered(DeviceBacklog(messages: Self.messages(ids: ids, entries: entries), overflowed: false), evicted: evicted)
    }

    public func disconnect(_ device: DeviceKey) async throws(StoreError) {
        _ = try await run(
            RedisStoreScripts.disconnect,
            keys: deviceKeys(device),
            [
                keys(device.site).prefix, device.userRoom, device.deviceID, "\(clock.milliseconds)", "\(settings.deviceTTL)",
                instanceField(device),
            ]
        )
    }

    public func userRooms(site: String, sharedRoom: String) async throws(StoreError) -> Set<String> {
        let keys = keys(site)
        let room = sharedRoom.lowercased()
        let reply = try await run(RedisStoreScripts.userRooms, keys: [keys.sharedRoom(room)], [keys.prefix, room])
        return Set((reply.array ?? []).compactMap(\.string))
    }

    public func enqueue(_ message: StoredMessage, site: String, userRooms: Set<String>) async throws(StoreError)
        -> [DeviceKey]
    {
        guard !userRooms.isEmpty else { return [] }
        let keys = keys(site)
        let users = userRooms.sorted()
        let arguments =
            [
                keys.prefix, "\(clock.milliseconds)", "\(settings.deviceTTL)", "\(settings.maxQueueLength)",
                message.id.sortKey, message.event, StoredEntry.encode(message),
            ] + users
        let scriptKeys = users.flatMap { [keys.devices($0), keys.userRooms($0)] }
        guard let wanted = replicaAcknowledgements else {
            return Self.holders(of: try await run(RedisStoreScripts.enqueue, keys: scriptKeys, arguments), site: site)
        }
        let result: (reply: RedisValue, replicas: Int)
        do {
            result = try await client.runAndWait(RedisStoreScripts.enqueue, keys: scriptKeys, arguments: arguments, for: wanted)
        } catch {
            throw StoreError(error.description)
        }
        let holders = Self.holders(of: result.reply, site: site)
        guard result.replicas >= wanted.replicas else {
            throw await withdraw(message, from: holders, site: site, acknowledged: result.replicas, wanted: wanted)
        }
        return holders
    }

    private static func holders(of reply: RedisValue, site: String) -> [DeviceKey] {
        let fields = (reply.array ?? []).compactMap(\.string)
        return stride(from: 0, to: fields.count - 1, by: 2).map { index in
            DeviceKey(site: site, userRoom: fields[index], deviceID: fields[index + 1])
        }
    }

    /// Takes back a message too few replicas acknowledged, so the `/send` answered 503 leaves no copy behind for its
    /// retry to duplicate; returns the error that answer carries.
    private func withdraw(
        _ message: StoredMessage,
        from holders: [DeviceKey],
        site: String,
        acknowledged: Int,
        wanted: RedisReplicaAcknowledgements
    ) async -> StoreError {
        let shortfall = "\(acknowledged) of \(wanted.replicas) replicas acknowledged the message within \(wanted.timeout)"
        guard !holders.isEmpty else {
            return StoreError("\(shortfall); nothing was stored, retry")
        }
        let keys = keys(site)
        let arguments = [keys.prefix, message.id.sortKey] + holders.flatMap { [$0.userRoom, $0.deviceID] }
        do {
            _ = try await client.run(
                RedisStoreScripts.withdraw,
                keys: holders.flatMap { queueKeys($0, overflow: false) },
                arguments: arguments
            )
            return StoreError("\(shortfall); it was taken back, retry")
        } catch {
            return StoreError("\(shortfall) and taking it back failed (\(error)); a retry may store it twice")
        }
    }

    public func acknowledge(_ device: DeviceKey, id: FlakeID, resync: Bool) async throws(StoreError) -> AckOutcome {
        try await acks.acknowledge(RedisAckCoalescer.Ack(device: device, id: id, resync: resync)).get()
    }

    /// Records the acks of one site's devices in one script call.
    private static func record(
        _ acks: [RedisAckCoalescer.Ack],
        site: String,
        on client: RedisClient,
        keyPrefix: String
    ) async -> Result<[AckOutcome], StoreError> {
        let siteKeys = RedisSiteKeys(keyPrefix: keyPrefix, site: site)
        var arguments = [siteKeys.prefix]
        var keys: [String] = []
        arguments.reserveCapacity(1 + acks.count * 4)
        keys.reserveCapacity(acks.count * 4)
        for ack in acks {
            arguments += [ack.device.userRoom, ack.device.deviceID, ack.id.sortKey, ack.resync ? "1" : "0"]
            keys += siteKeys.queue(ack.device.userRoom, ack.device.deviceID, overflow: false)
        }
        let reply: RedisValue
        do {
            reply = try await client.run(RedisStoreScripts.acknowledgeMany, keys: keys, arguments: arguments)
        } catch {
            return .failure(StoreError(error.description))
        }
        let parts = reply.array ?? []
        return .success(
            stride(from: 0, to: parts.count - 1, by: 2).map { index in
                switch parts[index].int {
                case 1: .removed
                case 2: .resync(event: parts[index + 1].string ?? "")
                default: .notQueued
                }
            }
        )
    }

    public func acknowledgeBatch(_ device: DeviceKey, ids: [FlakeID]) async throws(StoreError) {
        guard !ids.isEmpty else { return }
        _ = try await run(
            RedisStoreScripts.acknowledgeBatch,
            keys: queueKeys(device, overflow: false),
            [keys(device.site).prefix, device.userRoom, device.deviceID] + ids.map(\.sortKey)
        )
    }

    public func acknowledgeThrough(_ device: DeviceKey, id: FlakeID) async throws(StoreError) -> Int {
        let reply = try await run(
            RedisStoreScripts.acknowledgeThrough,
            keys: queueKeys(device, overflow: false),
            [keys(device.site).prefix, device.userRoom, device.deviceID, id.sortKey]
        )
        return reply.int ?? 0
    }

    public func queued(_ device: DeviceKey, after id: FlakeID?) async throws(StoreError) -> DeviceBacklog {
        let reply = try await run(
            RedisStoreScripts.queued,
            keys: queueKeys(device, overflow: true),
            [keys(device.site).prefix, device.userRoom, device.deviceID, id?.sortKey ?? ""]
        )
        guard let parts = reply.array, parts.count == 3, let status = parts[0].int, let ids = parts[1].array,
            let entries = parts[2].array, ids.count == entries.count
        else { throw StoreError("unexpected reply to queued: \(reply)") }
        guard status == 0 else { return DeviceBacklog(messages: [], overflowed: true) }
        return DeviceBacklog(messages: Self.messages(ids: ids, entries: entries), overflowed: false)
    }

    /// The messages of a script's parallel ID and entry lists; an entry gone meanwhile is skipped.
    private static func messages(ids: [RedisValue], entries: [RedisValue]) -> [StoredMessage] {
        var messages: [StoredMessage] = []
        messages.reserveCapacity(ids.count)
        for (id, entry) in zip(ids, entries) {
            guard let id = id.string.flatMap(FlakeID.init), let bytes = entry.bytes,
                let message = StoredEntry.decode(bytes, id: id)
            else { continue }
            messages.append(message)
        }
        return messages
    }

    /// How the instance's share of a site names a device: `["user room","device"]`, or empty without an instance.
    private func instanceField(_ device: DeviceKey) -> String {
        guard instance != nil else { return "" }
        return JSONValue.array([.string(device.userRoom), .string(device.deviceID)]).jsonString
    }

    /// Lists the instance and `site` before a script counts a socket of the site under the instance.
    private func enter(_ site: String) async throws(StoreError) {
        do {
            try await instance?.enter(site)
        } catch {
            throw StoreError(error.description)
        }
    }

    private func keys(_ site: String) -> RedisSiteKeys {
        RedisSiteKeys(keyPrefix: keyPrefix, site: site)
    }

    /// The keys of ``RedisStoreScripts/connect`` and ``RedisStoreScripts/disconnect`` before the shared rooms.
    private func deviceKeys(_ device: DeviceKey) -> [String] {
        let keys = keys(device.site)
        return [keys.devices(device.userRoom), keys.userRooms(device.userRoom)] + keys.queue(device.userRoom, device.deviceID)
            + [keys.heldDevices(instance?.instanceID ?? "")]
    }

    private func queueKeys(_ device: DeviceKey, overflow: Bool) -> [String] {
        keys(device.site).queue(device.userRoom, device.deviceID, overflow: overflow)
    }

    private func run(_ script: RedisScript, keys: [String], _ arguments: [String]) async throws(StoreError) -> RedisValue {
        do {
            return try await client.run(script, keys: keys, arguments: arguments)
        } catch {
            throw StoreError(error.description)
        }
    }
}
