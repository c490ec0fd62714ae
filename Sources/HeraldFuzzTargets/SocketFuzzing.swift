import NIOCore
import SocketIO

/// Socket.IO decoding: the packets of one connection, and the JSON inside them.
enum SocketFuzzing {
    /// Separates the messages of one connection in a fuzz input.
    private static let messageSeparator: UInt8 = 0xFF
    /// First byte of a message that is a binary attachment rather than text.
    private static let binaryMark: UInt8 = 0x00

    /// The messages of one connection, split at 0xFF; one starting with 0x00 is a binary attachment. Every packet
    /// decoded must encode and decode to the same packet (after one round, which settles `1.0` into `1`).
    static func packets(_ input: UnsafeRawBufferPointer) {
        var decoder = SocketPacketDecoder()
        for message in input.split(separator: messageSeparator, omittingEmptySubsequences: false) {
            let packet: SocketPacket?
            if message.first == binaryMark {
                packet = try? decoder.decode(binary: ByteBuffer(bytes: message.dropFirst()))
            } else {
                guard let text = String(validating: message, as: UTF8.self) else { continue }
                packet = try? decoder.decode(text: text)
            }
            if let packet {
                let once = reencoded(packet)
                precondition(reencoded(once) == once, "\(once) does not survive encoding")
            }
        }
    }

    private static func reencoded(_ packet: SocketPacket) -> SocketPacket {
        let (text, attachments) = SocketPacketEncoder.encode(packet)
        var decoder = SocketPacketDecoder()
        do {
            var decoded = try decoder.decode(text: text)
            for attachment in attachments {
                precondition(decoded == nil, "\(text.debugDescription) completed before its attachments")
                decoded = try decoder.decode(binary: attachment)
            }
            guard let decoded else { preconditionFailure("\(text.debugDescription) still waits for attachments") }
            return decoded
        } catch {
            preconditionFailure("\(packet) encoded as \(text.debugDescription) does not decode: \(error)")
        }
    }

    /// JSON text; whatever parses must be written as JSON that parses to the same value.
    static func json(_ input: UnsafeRawBufferPointer) {
        SendFuzzing.rawJSON(input)
        guard let value = try? JSONValue(parsing: ByteBuffer(bytes: input)) else { return }
        let once = reparsed(value)
        precondition(reparsed(once) == once, "\(once.jsonString) does not survive writing")
    }

    /// `value` written as JSON and parsed again; traps when the text does not parse.
    static func reparsed(_ value: JSONValue) -> JSONValue {
        let text = value.jsonString
        do {
            return try JSONValue(parsing: text)
        } catch {
            preconditionFailure("\(text.debugDescription) written for \(value) does not parse: \(error)")
        }
    }
}
