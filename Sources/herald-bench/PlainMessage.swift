/// A plain WebSocket JSON message from Herald (docs/protocols.md, "Plain WebSocket JSON") as the bench needs to see
/// it. Like ``InboundPacket`` it is a byte scan that never builds JSON objects: Herald writes `type` first and an
/// event's `id` last, so the fields the bench needs sit at known places.
enum PlainMessage: Equatable {
    /// `{"type":"settings",...}`: sent once the client is admitted.
    case settings
    /// `{"type":"event","event":"<name>","args":[...]}`, with every bench stamp in its arguments and the flake ID
    /// (`,"id":"<digits>"` at the end) of a message kept in the device's queue.
    case event(name: String, id: String?, stamps: [Stamp])
    /// `{"type":"batch","messages":[{"event","args","id"},...]}`: what the device missed, each message's ID in
    /// order and every stamp in all of them.
    case batch(ids: [String], stamps: [Stamp])
    /// `{"type":"error","code":"<code>","message":"<text>"}`, just before Herald closes the connection; `code` and
    /// `message` joined as one reason.
    case error(String)
    /// `resync`, `pong` and any type the bench does not use.
    case other

    /// Decodes one text frame's bytes.
    init(_ bytes: UnsafeRawBufferPointer) {
        guard let typeStart = PlainMessage.valueStart(of: PlainMessage.typeKey, in: bytes, from: 0) else {
            self = .other
            return
        }
        let typeEnd = PlainMessage.stringEnd(in: bytes, from: typeStart)
        let type = UnsafeRawBufferPointer(rebasing: bytes[typeStart..<typeEnd])
        if type.elementsEqual(PlainMessage.eventType) {
            self = PlainMessage.event(bytes, from: typeEnd)
        } else if type.elementsEqual(PlainMessage.batchType) {
            self = .batch(ids: PlainMessage.batchIDs(bytes, from: typeEnd), stamps: Stamp.scan(bytes, from: typeEnd))
        } else if type.elementsEqual(PlainMessage.settingsType) {
            self = .settings
        } else if type.elementsEqual(PlainMessage.errorType) {
            self = .error(PlainMessage.errorReason(bytes, from: typeEnd))
        } else {
            self = .other
        }
    }

    private static let typeKey = Array(#""type":""#.utf8)
    private static let eventKey = Array(#""event":""#.utf8)
    private static let idKey = Array(#","id":""#.utf8)
    private static let codeKey = Array(#""code":""#.utf8)
    private static let messageKey = Array(#""message":""#.utf8)
    private static let eventType = Array("event".utf8)
    private static let batchType = Array("batch".utf8)
    private static let settingsType = Array("settings".utf8)
    private static let errorType = Array("error".utf8)

    private static func event(_ bytes: UnsafeRawBufferPointer, from start: Int) -> PlainMessage {
        guard let nameStart = valueStart(of: eventKey, in: bytes, from: start) else { return .other }
        let nameEnd = stringEnd(in: bytes, from: nameStart)
        let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
        return .event(name: name, id: trailingID(bytes), stamps: Stamp.scan(bytes, from: nameEnd))
    }

    /// `<code>: <message>` of an error message, as its JSON strings read (escapes left as they are).
    private static func errorReason(_ bytes: UnsafeRawBufferPointer, from start: Int) -> String {
        let fields = [codeKey, messageKey].compactMap { key -> String? in
            guard let valueStart = valueStart(of: key, in: bytes, from: start) else { return nil }
            return String(decoding: bytes[valueStart..<stringEnd(in: bytes, from: valueStart)], as: UTF8.self)
        }
        return fields.joined(separator: ": ")
    }

    /// The digits of a final `,"id":"<digits>"}`, which Herald writes after the arguments.
    private static func trailingID(_ bytes: UnsafeRawBufferPointer) -> String? {
        let end = bytes.count - 2
        guard end > 0, bytes[end] == UInt8(ascii: "\""), bytes[end + 1] == UInt8(ascii: "}") else { return nil }
        var digitsStart = end
        while digitsStart > 0, isDigit(bytes[digitsStart - 1]) { digitsStart -= 1 }
        guard digitsStart < end, digitsStart >= idKey.count,
            UnsafeRawBufferPointer(rebasing: bytes[(digitsStart - idKey.count)..<digitsStart]).elementsEqual(idKey)
        else { return nil }
        return String(decoding: bytes[digitsStart..<end], as: UTF8.self)
    }

    /// Every `,"id":"<digits>"}` after `start`: the end of each message object of a batch.
    private static func batchIDs(_ bytes: UnsafeRawBufferPointer, from start: Int) -> [String] {
        var ids: [String] = []
        var cursor = start
        while let found = Stamp.firstIndex(of: idKey, in: bytes, from: cursor) {
            let digitsStart = found + idKey.count
            var digitsEnd = digitsStart
            while digitsEnd < bytes.count, isDigit(bytes[digitsEnd]) { digitsEnd += 1 }
            if digitsEnd > digitsStart, digitsEnd + 1 < bytes.count, bytes[digitsEnd] == UInt8(ascii: "\""),
                bytes[digitsEnd + 1] == UInt8(ascii: "}")
            {
                ids.append(String(decoding: bytes[digitsStart..<digitsEnd], as: UTF8.self))
            }
            cursor = digitsEnd
        }
        return ids
    }

    /// Where the string value after `key` (which ends with its opening quote) starts.
    private static func valueStart(of key: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        Stamp.firstIndex(of: key, in: bytes, from: start).map { $0 + key.count }
    }

    /// The index of the quote that closes the string starting at `start` (or the end of `bytes`), skipping escapes.
    private static func stringEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var cursor = start
        while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\"") {
            cursor += bytes[cursor] == UInt8(ascii: "\\") ? 2 : 1
        }
        return min(cursor, bytes.count)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
