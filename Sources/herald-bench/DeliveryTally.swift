import Histogram

/// What the clients of one event loop received, kept per loop so recording never contends across threads.
struct DeliveryTally: Sendable {
    /// Latency from the payload's timestamp to receipt, in microseconds.
    var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    /// Which sequence numbers each client (by index) has received.
    var seen: [Int: SequenceSet] = [:]
    /// Distinct (client, seq) receipts.
    var unique = 0
    /// Receipts of a (client, seq) pair already received, on a connection that was never dropped.
    var duplicates = 0
    /// Receipts of a (client, seq) pair already received, after the client reconnected: the at-least-once window
    /// of a message delivered live whose ack did not reach the server before the drop.
    var redelivered = 0
    /// Messages received inside a `_batch` (queued while the client was away).
    var batched = 0
    /// Bench events without a usable `seq`.
    var malformed = 0
    /// Joined clients whose connection closed before the run ended.
    var dropped = 0
    /// WebSocket frame bytes received (headers included), of every frame.
    var wireBytes = 0
    /// Wall-clock microseconds of the last receipt.
    var lastReceiptMicros: UInt64 = 0

    /// Accounts the stamps of one bench event (or `_batch`) received by client `client`; only live messages
    /// feed the latency histogram.
    mutating func record(client: Int, stamps: [Stamp], batch: Bool, reconnected: Bool, nowMicros: UInt64) {
        if stamps.isEmpty { malformed += 1 }
        for stamp in stamps {
            if seen[client, default: SequenceSet()].insert(stamp.seq) {
                unique += 1
            } else if reconnected {
                redelivered += 1
            } else {
                duplicates += 1
            }
            if batch {
                batched += 1
            } else if let sentMicros = stamp.sentMicros {
                _ = latency.record(nowMicros > sentMicros ? nowMicros - sentMicros : 0)
            }
        }
        lastReceiptMicros = max(lastReceiptMicros, nowMicros)
    }

    /// Adds another loop's tally into this one (client indices are disjoint across loops).
    mutating func merge(_ other: DeliveryTally) {
        latency.add(other.latency)
        seen.merge(other.seen) { mine, _ in mine }
        unique += other.unique
        duplicates += other.duplicates
        redelivered += other.redelivered
        batched += other.batched
        malformed += other.malformed
        dropped += other.dropped
        wireBytes += other.wireBytes
        lastReceiptMicros = max(lastReceiptMicros, other.lastReceiptMicros)
    }
}

/// A growable bitset of sequence numbers: one bit per message per client keeps exact accounting affordable at
/// 10,000 clients.
struct SequenceSet: Sendable {
    private var words: [UInt64] = []

    /// Inserts `value`; returns false when it was already present.
    mutating func insert(_ value: Int) -> Bool {
        let word = value >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        let bit = UInt64(1) << UInt64(value & 63)
        if words[word] & bit != 0 { return false }
        words[word] |= bit
        return true
    }
}
