import Herald
import HeraldServer
import NIOCore
import SocketIO

/// What the Server-Sent Events endpoint reads from strangers (`Last-Event-ID`) and writes from what `/send` carries
/// (event names and arguments become frames).
enum SSEFuzzing {
    /// The first byte picks the check. Even: the rest is a `Last-Event-ID`; an accepted one is 1 to 20 ASCII digits
    /// naming the same number as its ID. Odd: the rest is an event name and a string argument; the frame holds
    /// exactly one event (one blank line, at its end), every line is an `id:`, `event:` or `data:` field, and the
    /// data is the arguments' JSON.
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        if selector & 1 == 0 {
            lastEventID(text)
        } else {
            frame(name: text, argument: text, id: selector & 2 == 0 ? nil : FlakeID(rawValue: UInt64(input.count)))
        }
    }

    private static func lastEventID(_ text: String) {
        guard let id = try? LastEventID.parse(header: text, query: nil) else { return }
        precondition((1...20).contains(text.utf8.count), "accepted an ID of \(text.utf8.count) bytes")
        precondition(text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "accepted a non-digit ID: \(text)")
        precondition(UInt64(text) == id.rawValue, "\(text) parsed as \(id)")
    }

    private static func frame(name: String, argument: String, id: FlakeID?) {
        let arguments: [JSONValue] = [.string(argument)]
        var buffer = SSEFrame.event(id: id, name: name, arguments: arguments)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        precondition(bytes.suffix(2) == [0x0A, 0x0A], "a frame must end with a blank line")
        let lines = bytes.dropLast(2).split(separator: 0x0A, omittingEmptySubsequences: false)
        precondition(!bytes.dropLast(1).contains(0x0D), "a CR inside a frame starts a new line")
        // Bytes, not Characters: a client splits fields on code points, and a combining mark after "event: " would
        // make Swift's grapheme-based hasPrefix miss the field.
        var data: [String] = []
        for line in lines {
            precondition(!line.isEmpty, "a blank line inside a frame ends the event early")
            if line.starts(with: Array("data: ".utf8)) {
                data.append(String(decoding: line.dropFirst(6), as: UTF8.self))
            } else {
                precondition(
                    line.starts(with: Array("id: ".utf8)) || line.starts(with: Array("event: ".utf8)),
                    "a line that is no field: \(String(decoding: line, as: UTF8.self))"
                )
            }
        }
        precondition(data.joined(separator: "\n") == JSONValue.array(arguments).jsonString, "data is not the arguments")
    }
}
