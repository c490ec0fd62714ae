/// Where reliable delivery keeps its state: the device registry (which devices each user has, connected or since
/// when disconnected), shared-room membership, and each device's queue of unacknowledged messages.
///
/// Two implementations pass one contract suite: ``InMemoryMessageStore`` (one process, the embedded default) and
/// the Redis store (several processes). Every method is atomic: a failure changes nothing.
public protocol MessageStore: Sendable {
    /// A socket of `device` connected: the device counts as connected (its expiry is cancelled), its user's shared
    /// rooms become `sharedRooms`, and its queue is returned, oldest first.
    func connect(_ device: DeviceKey, sharedRooms: [String]) async throws(StoreError) -> DeviceBacklog

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
