/// Where reliable delivery keeps its state: the device registry (which devices each user has, connected or since
/// when disconnected), shared-room membership, and each device's queue of unacknowledged messages.
///
/// Two implementations pass one contract suite: ``InMemoryMessageStore`` (one process, the embedded default) and
/// the Redis store (several processes). Every method is atomic: a failure changes nothing.
public protocol MessageStore: Sendable {
    /// A socket of `device` connected: the device counts as connected (its expiry is cancelled), its user's shared
    /// rooms become `sharedRooms`, and its queue is returned, oldest first.
    ///
    /// A device the user does not have yet (or whose `device_ttl` ran out) is new: the user may hold at most
    /// `maxDevices` devices, so the devices offline the longest are forgotten (queues deleted) to make room, and when
    /// every other device is connected the new one is refused and nothing changes. A known device is never refused,
    /// so a user's own reconnects cannot lock them out.
    func connect(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError)
        -> DeviceRegistration

    /// A socket of `device` that stayed connected while live messages may have been lost (the cluster bus or the
    /// store was away, or the store restarted empty) asks again what the device is owed: registers the device as
    /// ``connect(_:sharedRooms:maxDevices:)`` does when the store does not count it as connected, without counting
    /// the socket a second time when it does, and returns its backlog.
    func resume(_ device: DeviceKey, sharedRooms: [String], maxDevices: Int) async throws(StoreError)
        -> DeviceRegistration

    /// A socket of `device` disconnected; when it was the device's last, the device's `device_ttl` clock starts.
    func disconnect(_ device: DeviceKey) async throws(StoreError)

    /// The user rooms of `site` whose users belong to `sharedRoom`, matched case-insensitively.
    func userRooms(site: String, sharedRoom: String) async throws(StoreError) -> Set<String>

    /// Queues `message` for every device of the users in `userRooms` that is connected or disconnected for less than
    /// `device_ttl`; devices offline longer are forgotten. Returns the devices that now hold the message.
    func enqueue(_ message: StoredMessage, site: String, userRooms: Set<String>) async throws(StoreError) -> [DeviceKey]

    /// The device acknowledged message `id`. With `resync`, an ack for a message that is not the oldest queued one
    /// of its event clears that event's queue instead and reports `.resync`.
    func acknowledge(_ device: DeviceKey, id: FlakeID, resync: Bool) async throws(StoreError) -> AckOutcome

    /// The device acknowledged a `_batch`: exactly the messages `ids` are removed, nothing queued after them.
    func acknowledgeBatch(_ device: DeviceKey, ids: [FlakeID]) async throws(StoreError)
}

extension MessageStore {
    /// Connects `device` without a cap on its user's devices.
    public func connect(_ device: DeviceKey, sharedRooms: [String]) async throws(StoreError) -> DeviceBacklog {
        switch try await connect(device, sharedRooms: sharedRooms, maxDevices: .max) {
        case .registered(let backlog, _): return backlog
        case .refused: throw StoreError("device refused without a device cap")
        }
    }
}

/// How a device's connect ended.
public enum DeviceRegistration: Sendable, Hashable {
    /// The device is registered and owed `backlog`; `evicted` devices of its user were forgotten to make room.
    case registered(DeviceBacklog, evicted: Int)
    /// A new device of a user whose `maxDevices` devices are all connected; the store is unchanged.
    case refused
}

/// What a connecting device is owed.
public struct DeviceBacklog: Sendable, Hashable {
    /// Queued messages, oldest first.
    public var messages: [StoredMessage]
    /// Whether the queue overflowed (the oldest messages were dropped) since the device last connected: the client
    /// must resync instead of receiving a partial `_batch`; the queue has been cleared.
    public var overflowed: Bool

    /// Creates a backlog.
    public init(messages: [StoredMessage], overflowed: Bool) {
        self.messages = messages
        self.overflowed = overflowed
    }
}

/// The result of an acknowledgement.
public enum AckOutcome: Sendable, Hashable {
    /// The message was removed.
    case removed
    /// The message was not queued (already acknowledged, or cleared).
    case notQueued
    /// Out-of-order ack with `resync`: the queue of `event` was cleared and the client must resync.
    case resync(event: String)
}

/// The store cannot be used now (Redis down, timed out); nothing was changed.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
