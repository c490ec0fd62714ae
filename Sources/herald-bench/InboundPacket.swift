/// An Engine.IO v4 / Socket.IO v5 text packet as the bench needs to see it: only what drives the connection
/// forward or feeds the delivery ledger is decoded, and the scan never builds JSON objects, so one load generator
/// core can keep up with a server delivering hundreds of thousands of messages per second.
enum InboundPacket: Equatable {
    /// Engine.IO `0{...}`: the transport is open, the namespace CONNECT can be sent.
    case open
    /// Engine.IO `2`: must be answered with `3`.
    case ping
    /// Socket.IO `40/<site>,{"sid":...}`: the namespace accepted the client.
    case connected
    /// Socket.IO `44/<site>,{...}`: the namespace refused the client; the server's text is kept as the reason.
    case connectError(String)
    /// Socket.IO `41/<site>,`: the server disconnected the client from the namespace.
    case disconnected
    /// Socket.IO `42/<site>,[<ackID>][<event>, ...]`, with every bench stamp (`seq` and `t`) in its arguments:
    /// one for a live message, one per queued message for a `_batch`.
    case event(name: String, ackID: Int?, stamps: [Stamp])
    /// Anything else (noop, pong, message types the bench does not use).
    case other

    /// Decodes one text frame's bytes.
    init(_ bytes: UnsafeRawBufferPointer) {
        guard let engineType = bytes.first else {
            self = .other
            return
        }
        switch engineType {
        case UInt8(ascii: "0"): self = .open
        case UInt8(ascii: "2"): self = .ping
        case UInt8(ascii: "4"): self = InboundPacket.socketPacket(bytes)
        default: self = .other
        }
    }

    private static func socketPacket(_ bytes: UnsafeRawBufferPointer) -> InboundPacket {
        guard bytes.count >= 2 else { return .other }
        var cursor = 2
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "/") {
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: ",") { cursor += 1 }
            cursor += 1
        }
        switch bytes[1] {
        case UInt8(ascii: "0"): return .connected
        case UInt8(ascii: "1"): return .disconnected
        case UInt8(ascii: "4"):
            let rest = cursor < bytes.count ? String(decoding: bytes[cursor...], as: UTF8.self) : ""
            return .connectError(rest)
        case UInt8(ascii: "2"): return event(bytes, from: cursor)
        default: return .other
        }
    }

    private static func event(_ bytes: UnsafeRawBufferPointer, from start: Int) -> InboundPacket {
        var cursor = start
        let ackID = Stamp.readNumber(bytes, at: &cursor).map { Int($0) }
        guard cursor + 1 < bytes.count, bytes[cursor] == UInt8(ascii: "["), bytes[cursor + 1] == UInt8(ascii: "\"") else {
            return .other
        }
        let nameStart = cursor + 2
        var nameEnd = nameStart
        while nameEnd < bytes.count, bytes[nameEnd] != UInt8(ascii: "\"") { nameEnd += 1 }
        let name = String(decoding: bytes[nameStart..<min(nameEnd, bytes.count)], as: UTF8.self)
        let stamps = Stamp.scan(bytes, from: nameEnd)
        return .event(name: name, ackID: ackID, stamps: stamps)
    }
}
