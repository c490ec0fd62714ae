/// The bench's mark in a message's first argument: its sequence number and send time.
struct Stamp: Equatable, Sendable {
    /// The message's sequence number, 0-based.
    let seq: Int
    /// Wall-clock microseconds when the bench posted it, when present.
    let sentMicros: UInt64?

    /// Every stamp in `bytes` from `start` on: one per `"seq":N` key, with the `t` of the object that holds it.
    /// A byte scan, never a JSON parse, so one load generator core keeps up with hundreds of thousands of deliveries
    /// per second whatever protocol carried them.
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) -> [Stamp] {
        var stamps: [Stamp] = []
        var seqCursor = start
        while let seq = numberAfter(key: seqKey, in: bytes, from: &seqCursor) {
            // A server may re-encode the argument with its keys in another order: look for `t` anywhere in the
            // object that holds this `seq` (the bench's objects hold no nested braces).
            var objectStart = seqCursor
            while objectStart > start, bytes[objectStart] != UInt8(ascii: "{") { objectStart -= 1 }
            var objectEnd = seqCursor
            while objectEnd < bytes.count, bytes[objectEnd] != UInt8(ascii: "}") { objectEnd += 1 }
            let object = UnsafeRawBufferPointer(rebasing: bytes[objectStart..<objectEnd])
            var timeCursor = 0
            let sent = numberAfter(key: timeKey, in: object, from: &timeCursor)
            stamps.append(Stamp(seq: Int(seq), sentMicros: sent))
        }
        return stamps
    }

    private static let seqKey = Array("\"seq\":".utf8)
    private static let timeKey = Array("\"t\":".utf8)

    /// The unsigned integer right after the first occurrence of `key` at or after `start`; `start` moves past it.
    static func numberAfter(key: [UInt8], in bytes: UnsafeRawBufferPointer, from start: inout Int) -> UInt64? {
        guard let found = firstIndex(of: key, in: bytes, from: start) else { return nil }
        start = found + key.count
        return readNumber(bytes, at: &start)
    }

    /// Where `key` first occurs in `bytes` at or after `start`.
    static func firstIndex(of key: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard bytes.count >= key.count else { return nil }
        var index = start
        let last = bytes.count - key.count
        while index <= last {
            if bytes[index] == key[0] {
                var matched = 1
                while matched < key.count, bytes[index + matched] == key[matched] { matched += 1 }
                if matched == key.count { return index }
            }
            index += 1
        }
        return nil
    }

    /// Reads decimal digits at `cursor`, advancing past them; nil when there is no digit.
    static func readNumber(_ bytes: UnsafeRawBufferPointer, at cursor: inout Int) -> UInt64? {
        var value: UInt64 = 0
        let start = cursor
        while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") {
            value = value &* 10 &+ UInt64(bytes[cursor] - UInt8(ascii: "0"))
            cursor += 1
        }
        return cursor > start ? value : nil
    }
}
