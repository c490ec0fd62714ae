import NIOCore

/// Reads a `text/event-stream` incrementally, following the WHATWG event stream interpretation: lines end with CRLF,
/// LF or CR (a CRLF may be cut between reads); a line starting with `:` is a comment (Herald's heartbeats); `field:
/// value` drops one space after the colon; `event` sets the type, `data` appends a line, `id` sets the last event ID
/// unless it holds NUL; a blank line dispatches the event, unless it had no data. `retry` and unknown fields are
/// ignored: the bench never reconnects a stream by itself.
struct EventStreamParser {
    private var pending = ByteBuffer()
    private var afterCR = false
    private var type: String?
    private var data: [UInt8] = []
    private(set) var lastEventID: String?

    /// Appends bytes of the stream (after any transfer decoding).
    mutating func append(_ bytes: inout ByteBuffer) {
        pending.writeBuffer(&bytes)
    }

    /// The next complete event, consuming the lines up to its blank line; nil once the bytes so far hold no more.
    mutating func next() -> ServerSentEvent? {
        defer { pending.discardReadBytes() }
        while let line = nextLine() {
            if let event = process(line) { return event }
        }
        return nil
    }

    /// The next complete line, without its end, consumed.
    private mutating func nextLine() -> [UInt8]? {
        if afterCR {
            guard let byte = pending.getInteger(at: pending.readerIndex, as: UInt8.self) else { return nil }
            if byte == 10 { pending.moveReaderIndex(forwardBy: 1) }
            afterCR = false
        }
        let view = pending.readableBytesView
        guard let end = view.firstIndex(where: { $0 == 10 || $0 == 13 }) else { return nil }
        let line = Array(view[view.startIndex..<end])
        afterCR = view[end] == 13
        pending.moveReaderIndex(to: end + 1)
        return line
    }

    /// Applies one line; returns the event a blank line dispatches.
    private mutating func process(_ line: [UInt8]) -> ServerSentEvent? {
        guard let first = line.first else { return dispatch() }
        if first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        var valueStart = colon < line.endIndex ? colon + 1 : colon
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let name = line[..<colon]
        let value = line[valueStart...]
        if name.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(10)
        } else if name.elementsEqual("event".utf8) {
            type = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8), !value.contains(0) {
            lastEventID = String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    /// The event the fields so far make, resetting them; nil when it had no data.
    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            type = nil
            data.removeAll(keepingCapacity: true)
        }
        guard !data.isEmpty else { return nil }
        return ServerSentEvent(type: type ?? "message", data: Array(data.dropLast()), lastEventID: lastEventID)
    }
}
