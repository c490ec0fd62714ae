/// The live emits of one socket still waiting for their ack, held under the site's `maxPendingAcksPerSocket`.
///
/// Each pending ack keeps a callback and a ten-minute timer on the socket's event loop; a client that reads but never
/// acknowledges would grow them with every message. Over the limit a message is simply not emitted live: it stays in
/// the device's queue and reaches the client in its next `_batch`, exactly once. Shared by the socket's device
/// sessions and used only on the socket's event loop.
final class PendingAckBudget {
    /// The most acks one socket may leave pending.
    let limit: Int
    /// Acks pending now.
    private(set) var pending = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a place for one more pending ack; false when the socket is at its limit.
    func reserve() -> Bool {
        guard pending < limit else { return false }
        pending += 1
        return true
    }

    /// Gives back the place of an ack that arrived, timed out or was cancelled by the disconnect.
    func release() {
        pending -= 1
    }
}
