/// One device's unacknowledged messages in ID order, with at most `capacity` kept, each numbered in the order it was
/// stored for the device (its storage order, which a reader without acks follows: see
/// ``MessageStore/queued(_:after:)``).
struct DeviceQueue: Sendable {
    private(set) var messages: [StoredMessage] = []
    /// Each queued message's place in storage order.
    private var storedAt: [FlakeID: UInt64] = [:]
    private var nextPlace: UInt64 = 0
    /// Whether messages were dropped for lack of room since the device last connected.
    var overflowed = false

    var isEmpty: Bool { messages.isEmpty }

    /// Inserts `message` in ID order, dropping the oldest messages beyond `capacity`.
    mutating func insert(_ message: StoredMessage, capacity: Int) {
        let index = insertionIndex(of: message.id)
        if index < messages.count, messages[index].id == message.id { return }
        messages.insert(message, at: index)
        storedAt[message.id] = nextPlace
        nextPlace += 1
        if messages.count > capacity {
            for dropped in messages.prefix(messages.count - capacity) {
                storedAt[dropped.id] = nil
            }
            messages.removeFirst(messages.count - capacity)
            overflowed = true
        }
    }

    /// Removes the message `id`; returns it when it was queued.
    @discardableResult
    mutating func remove(_ id: FlakeID) -> StoredMessage? {
        let index = insertionIndex(of: id)
        guard index < messages.count, messages[index].id == id else { return nil }
        storedAt[id] = nil
        return messages.remove(at: index)
    }

    /// The device acknowledged `id`: removes it; with `resync`, when it is not the oldest queued message of its event,
    /// clears that event's messages instead. ``MessageStore/acknowledge(_:id:resync:)`` for one queue.
    mutating func acknowledge(_ id: FlakeID, resync: Bool) -> AckOutcome {
        guard let message = message(id) else { return .notQueued }
        if resync, let oldest = oldest(of: message.event), oldest.id != id {
            removeAll(of: message.event)
            return .resync(event: message.event)
        }
        remove(id)
        return .removed
    }

    /// The message `id`, if queued.
    func message(_ id: FlakeID) -> StoredMessage? {
        let index = insertionIndex(of: id)
        guard index < messages.count, messages[index].id == id else { return nil }
        return messages[index]
    }

    /// The oldest queued message of `event`.
    func oldest(of event: String) -> StoredMessage? {
        messages.first { $0.event == event }
    }

    /// Removes every message of `event`.
    mutating func removeAll(of event: String) {
        for message in messages where message.event == event {
            storedAt[message.id] = nil
        }
        messages.removeAll { $0.event == event }
    }

    mutating func removeAll() {
        messages.removeAll()
        storedAt.removeAll()
        overflowed = false
    }

    /// The messages stored after `id`, in storage order; every message when `id` is nil or not queued.
    func stored(after id: FlakeID?) -> [StoredMessage] {
        let start = id.flatMap { storedAt[$0] }
        return
            messages
            .compactMap { message in storedAt[message.id].map { (place: $0, message: message) } }
            .filter { entry in start.map { entry.place > $0 } ?? true }
            .sorted { $0.place < $1.place }
            .map(\.message)
    }

    /// Removes `id` and every message stored before it; returns how many went (none when `id` is not queued).
    mutating func removeThrough(_ id: FlakeID) -> Int {
        guard let end = storedAt[id] else { return 0 }
        let before = messages.count
        messages.removeAll { message in
            guard let place = storedAt[message.id], place <= end else { return false }
            storedAt[message.id] = nil
            return true
        }
        return before - messages.count
    }

    private func insertionIndex(of id: FlakeID) -> Int {
        var low = 0
        var high = messages.count
        while low < high {
            let middle = (low + high) / 2
            if messages[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
