public import Herald
import SocketIO

/// The ``MessageStore`` for several Herald instances: device registry, shared-room membership and device queues in
/// Redis, each operation one Lua script (see ``RedisStoreScripts`` for the key layout).
///
/// When Redis cannot be reached every call fails with ``StoreError`` at once and changes nothing; the client
/// reconnects on its own.
public final class RedisMessageStore: MessageStore {
    private let client: RedisClient
    private let settings: MessageStoreSettings
    private let clock: any WallClock
    private let keyPrefix: String
    private let instanceKey: String
    private let instanceID: String
    private let livenessMilliseconds: Int
    private let acks: RedisAckCoalescer

    /// Creates the store on `client`; keys start with `keyPrefix` (`herald` by default). With `instanceID`, the
    /// sockets this instance holds are recorded under it, so other instances can count them as disconnected if
    /// this one dies (see ``RedisInstanceRegistry``).
    public init(
        client: RedisClient,
        settings: MessageStoreSettings,
        clock: any WallClock = SystemWallClock(),
        keyPrefix: String = "herald",
        instanceID: String? = nil,
        instanceTimeout: Duration = .seconds(10)
    ) {
        self.client = client
        self.settings = settings
        self.clock = clock
        self.keyPrefix = keyPrefix
        self.instanceKey = instanceID.map { RedisInstanceRegistry.heldDevicesKey(prefix: keyPrefix, instanceID: $0) } ?? ""
        self.instanceID = instanceID ?? ""
        self.acks = RedisAckCoalescer { site, acks in
            await Self.record(acks, site: site, on: client, keyPrefix: keyPrefix)
        }
        self.livenessMilliseconds =
            Int(instanceTimeout.components.seconds) * 1000
            + Int(instanceTimeout.components.attoseconds / 1_000_000_000_000_000)
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
        let reply = try await run(
            RedisStoreScripts.connect,
            [
                prefix(device.site), device.userRoom, device.deviceID, "\(clock.milliseconds)", "\(settings.deviceTTL)",
                instanceKey, instanceField(device), "\(keyPrefix):instances", instanceID,
                "\(keyPrefix):alive:\(instanceID)", "\(livenessMilliseconds)", "\(maxDevices)", resuming ? "1" : "0",
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
            [
                prefix(device.site), device.userRoom, device.deviceID, "\(clock.milliseconds)", "\(settings.deviceTTL)",
                instanceKey, instanceField(device),
            ]
        )
    }

    public func userRooms(site: String, sharedRoom: String) async throws(StoreError) -> Set<String> {
        let reply = try await run(RedisStoreScripts.userRooms, [prefix(site), sharedRoom.lowercased()])
        return Set((reply.array ?? []).compactMap(\.string))
    }

    public func enqueue(_ message: StoredMessage, site: String, userRooms: Set<String>) async throws(StoreError)
        -> [DeviceKey]
    {
        guard !userRooms.isEmpty else { return [] }
        let arguments =
            [
                prefix(site), "\(clock.milliseconds)", "\(settings.deviceTTL)", "\(settings.maxQueueLength)",
                message.id.sortKey, message.event, StoredEntry.encode(message),
            ] + userRooms.sorted()
        let reply = try await run(RedisStoreScripts.enqueue, arguments)
        let fields = (reply.array ?? []).compactMap(\.string)
        return stride(from: 0, to: fields.count - 1, by: 2).map { index in
            DeviceKey(site: site, userRoom: fields[index], deviceID: fields[index + 1])
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
        var arguments = ["\(keyPrefix):{\(site)}:"]
        arguments.reserveCapacity(1 + acks.count * 4)
        for ack in acks {
            arguments += [ack.device.userRoom, ack.device.deviceID, ack.id.sortKey, ack.resync ? "1" : "0"]
        }
        let reply: RedisValue
        do {
            reply = try await client.run(RedisStoreScripts.acknowledgeMany, keys: [], arguments: arguments)
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
            [prefix(device.site), device.userRoom, device.deviceID] + ids.map(\.sortKey)
        )
    }

    public func acknowledgeThrough(_ device: DeviceKey, id: FlakeID) async throws(StoreError) -> Int {
        let reply = try await run(
            RedisStoreScripts.acknowledgeThrough,
            [prefix(device.site), device.userRoom, device.deviceID, id.sortKey]
        )
        return reply.int ?? 0
    }

    public func queued(_ device: DeviceKey, after id: FlakeID?) async throws(StoreError) -> DeviceBacklog {
        let reply = try await run(
            RedisStoreScripts.queued,
            [prefix(device.site), device.userRoom, device.deviceID, id?.sortKey ?? ""]
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

    /// How the instance hash names a device: `["site","user room","device"]`.
    private func instanceField(_ device: DeviceKey) -> String {
        JSONValue.array([.string(device.site), .string(device.userRoom), .string(device.deviceID)]).jsonString
    }

    private func prefix(_ site: String) -> String {
        "\(keyPrefix):{\(site)}:"
    }

    private func run(_ script: RedisScript, _ arguments: [String]) async throws(StoreError) -> RedisValue {
        do {
            return try await client.run(script, keys: [], arguments: arguments)
        } catch {
            throw StoreError(error.description)
        }
    }
}
