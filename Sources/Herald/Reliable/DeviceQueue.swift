/// One device's unacknowledged messages in ID order, with at most `capacity` kept.
struct DeviceQueue: Sendable {
    private(set) var messages: [StoredMessage] = []
    /// Whether messages were dropped for lack of room since the device last connected.
    var overflowed = false

    var isEmpty: Bool { messages.isEmpty }

    /// Inserts `message` in ID order, dropping the oldest messages beyond `capacity`.
    mutating func insert(_ message: StoredMessage, capacity: Int) {
        let index = insertionIndex(of: message.id)
        if index < messages.count, messages[index].id == message.id { return }
        messages.insert(message, at: index)
        if messages.count > capacity {
            messages.removeFirst(messages.count - capacity)
            overflowed = true
        }
    }

    /// Removes the message `id`; returns it when it was queued.
    @discardableResult
    mutating func remove(_ id: FlakeID) -> StoredMessage? {
        let index = insertionIndex(of: id)
        guard index < messages.count, messages[index].id == id else { return nil }
        return messages.remove(at: index)
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
        messages.removeAll { $0.event == event }
    }

    mutating func removeAll() {
        messages.removeAll()
        overflowed = false
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
