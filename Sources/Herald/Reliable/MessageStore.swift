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

    /// A client that acknowledges by position (Server-Sent Events' `Last-Event-ID`) received every message of the
    /// device's queue up to `id`: `id` and every message stored for the device before it are removed, in the order
    /// they were stored for the device — the order ``queued(_:after:)`` hands them out, which is not always ID order
    /// (concurrent sends and other instances' clocks store IDs out of order). An `id` that is not queued removes
    /// nothing: it was removed already (an earlier reconnect with the same ID), the queue was cleared, or it is not
    /// one Herald gave; removing nothing means a message may come again, never that one is lost. Returns how many
    /// messages were removed.
    func acknowledgeThrough(_ device: DeviceKey, id: FlakeID) async throws(StoreError) -> Int

    /// The device's queued messages stored after `id`, in the order they were stored for the device; the whole queue
    /// when `id` is nil or no longer queued. When the queue overflowed since the device last connected, the queue is
    /// cleared and the backlog says `overflowed` (the client must reload), as ``connect(_:sharedRooms:maxDevices:)``
    /// does. Nothing is removed otherwise: a reader without acks removes messages with
    /// ``acknowledgeThrough(_:id:)``.
    func queued(_ device: DeviceKey, after id: FlakeID?) async throws(StoreError) -> DeviceBacklog
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
