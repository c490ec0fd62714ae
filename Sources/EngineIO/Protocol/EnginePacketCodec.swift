public import NIOCore

/// Encodes and decodes single Engine.IO packets: text packets (`4hello`), WebSocket frames, polling segments.
public enum EnginePacketCodec {
    /// Decodes one text packet: a WebSocket text frame or one segment of a polling payload.
    ///
    /// `allowBase64Binary` accepts the polling form of binary messages: `b<base64>` (v4) or `b4<base64>` (v3).
    public static func decode(
        text: Substring,
        version: EngineProtocolVersion,
        allowBase64Binary: Bool
    ) throws(EngineProtocolError) -> EnginePacket {
        let utf8 = text.utf8
        guard let first = utf8.first else { throw .emptyPacket }
        if first == UInt8(ascii: "b"), allowBase64Binary {
            var encoded = utf8.dropFirst()
            if version == .v3 {
                guard encoded.first == EnginePacketType.message.asciiDigit else {
                    throw .invalidPayload("v3 binary packet must be 'b4<base64>'")
                }
                encoded = encoded.dropFirst()
            }
            guard let bytes = Base64.decode(encoded) else { throw .invalidBase64 }
            return .message(.binary(ByteBuffer(bytes: bytes)))
        }
        guard let type = EnginePacketType(asciiDigit: first) else { throw .unknownPacketType(first) }
        let data = String(text[text.utf8.index(after: text.utf8.startIndex)...])
        switch type {
        case .open: return .open(data)
        case .close: return .close
        case .ping: return .ping(data)
        case .pong: return .pong(data)
        case .message: return .message(.text(data))
        case .upgrade: return .upgrade
        case .noop: return .noop
        }
    }

    /// Decodes a WebSocket binary frame: the whole frame is the message in v4; in v3 the first byte is the raw type 4.
    public static func decode(binaryFrame: ByteBuffer, version: EngineProtocolVersion) throws(EngineProtocolError) -> EnginePacket {
        switch version {
        case .v4:
            return .message(.binary(binaryFrame))
        case .v3:
            var data = binaryFrame
            guard let type = data.readInteger(as: UInt8.self) else { throw .emptyPacket }
            guard type == EnginePacketType.message.rawValue else { throw .unknownPacketType(type) }
            return .message(.binary(data))
        }
    }

    /// Encodes a packet as a WebSocket frame payload, with one allocation.
    public static func encodeWebSocketFrame(
        _ packet: EnginePacket,
        version: EngineProtocolVersion,
        allocator: ByteBufferAllocator
    ) -> (isBinary: Bool, payload: ByteBuffer) {
        if case .message(.binary(let data)) = packet {
            guard version == .v3 else { return (true, data) }
            var framed = allocator.buffer(capacity: data.readableBytes + 1)
            framed.writeInteger(EnginePacketType.message.rawValue)
            framed.writeImmutableBuffer(data)
            return (true, framed)
        }
        let text = packet.textData
        var buffer = allocator.buffer(capacity: text.utf8.count + 1)
        buffer.writeInteger(packet.type.asciiDigit)
        buffer.writeString(text)
        return (false, buffer)
    }

    /// The text form of a packet; binary messages as `b<base64>` (v4) or `b4<base64>` (v3).
    public static func encodeText(_ packet: EnginePacket, version: EngineProtocolVersion) -> String {
        if case .message(.binary(let data)) = packet {
            var bytes: [UInt8] = version == .v4 ? [UInt8(ascii: "b")] : [UInt8(ascii: "b"), UInt8(ascii: "4")]
            Base64.encode(data.readableBytesView, into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(Character(Unicode.Scalar(packet.type.asciiDigit))) + packet.textData
    }
}

extension EnginePacket {
    /// The text after the type digit (empty for packets without data).
    var textData: String {
        switch self {
        case .open(let text), .ping(let text), .pong(let text), .message(.text(let text)): text
        case .close, .upgrade, .noop, .message(.binary): ""
        }
    }
}
