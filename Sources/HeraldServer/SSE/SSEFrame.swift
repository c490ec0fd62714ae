package import Herald
package import NIOCore
package import SocketIO

/// The bytes of a Server-Sent Events stream (the WHATWG `text/event-stream` format): events with an optional `id:`,
/// an `event:` name and `data:` lines, comments, and the reconnection delay.
///
/// Nothing a sender controls can break the framing: a line break (CR, LF) or NUL in an event name is written as
/// `%0D`, `%0A` or `%00` (an event type cannot hold one), and the JSON data, which has no raw line breaks, is split
/// into several `data:` lines if it ever had one (the client joins them back with LF).
package enum SSEFrame {
    /// An event: `id:` when given, `event:` the name, `data:` the arguments as one JSON array.
    package static func event(id: FlakeID?, name: String, arguments: [JSONValue]) -> ByteBuffer {
        let data = JSONValue.array(arguments).jsonString
        var buffer = ByteBuffer()
        buffer.reserveCapacity(data.utf8.count + name.utf8.count + 40)
        if let id {
            buffer.writeString("id: \(id)\n")
        }
        buffer.writeString("event: ")
        writeEventName(name, to: &buffer)
        buffer.writeString("\n")
        writeData(data, to: &buffer)
        buffer.writeString("\n")
        return buffer
    }

    /// A comment line: ignored by clients, it keeps proxies and idle timers from taking the stream for dead.
    package static func comment(_ text: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString(":")
        for scalar in text.unicodeScalars where scalar != "\r" && scalar != "\n" {
            buffer.writeString(String(scalar))
        }
        buffer.writeString("\n\n")
        return buffer
    }

    /// How long the client waits before it reconnects after the stream ends.
    package static func retry(milliseconds: Int) -> ByteBuffer {
        ByteBuffer(string: "retry: \(milliseconds)\n\n")
    }

    private static func writeEventName(_ name: String, to buffer: inout ByteBuffer) {
        guard name.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x00 }) else {
            buffer.writeString(name)
            return
        }
        for byte in name.utf8 {
            switch byte {
            case 0x0A: buffer.writeString("%0A")
            case 0x0D: buffer.writeString("%0D")
            case 0x00: buffer.writeString("%00")
            default: buffer.writeInteger(byte)
            }
        }
    }

    private static func writeData(_ data: String, to buffer: inout ByteBuffer) {
        guard data.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else {
            buffer.writeString("data: \(data)\n")
            return
        }
        var line: [UInt8] = []
        var previous: UInt8 = 0
        for byte in data.utf8 {
            if byte == 0x0A && previous == 0x0D {
                previous = byte
                continue
            }
            if byte == 0x0A || byte == 0x0D {
                buffer.writeString("data: ")
                buffer.writeBytes(line)
                buffer.writeString("\n")
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
            previous = byte
        }
        buffer.writeString("data: ")
        buffer.writeBytes(line)
        buffer.writeString("\n")
    }
}
