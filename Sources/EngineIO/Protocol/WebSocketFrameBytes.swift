public import NIOCore

/// A complete server-to-client WebSocket frame (final, unmasked) as the bytes that go on the wire.
///
/// A broadcast encodes its frame once and writes the same buffer to every recipient, so no recipient pays for a
/// frame header of its own (SwiftNIO's frame encoder would write it into a separate buffer, as the shared payload
/// cannot take it in place).
public enum WebSocketFrameBytes {
    /// Header and payload of a final, unmasked frame carrying `payload` as text or binary data; `compressed` sets
    /// RSV1, marking a permessage-deflate message (RFC 7692).
    public static func encode(
        _ payload: ByteBuffer,
        isBinary: Bool,
        compressed: Bool = false,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        let length = payload.readableBytes
        var frame = allocator.buffer(capacity: headerLength(payloadLength: length) + length)
        frame.writeInteger(UInt8(isBinary ? 0x82 : 0x81) | (compressed ? 0x40 : 0))
        switch length {
        case 0...125:
            frame.writeInteger(UInt8(length))
        case 126...Int(UInt16.max):
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeImmutableBuffer(payload)
        return frame
    }

    /// The length of the header of `frame`, a frame this type encoded.
    public static func headerLength(ofFrame frame: ByteBuffer) -> Int {
        switch frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self) {
        case 126?: 4
        case 127?: 10
        default: 2
        }
    }

    static func headerLength(payloadLength: Int) -> Int {
        switch payloadLength {
        case 0...125: 2
        case 126...Int(UInt16.max): 4
        default: 10
        }
    }
}
