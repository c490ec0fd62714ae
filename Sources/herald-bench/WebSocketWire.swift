import NIOCore

/// The few WebSocket frame shapes a client needs (RFC 6455), written by hand so one handler can own the whole
/// byte stream from the HTTP upgrade onwards without reshaping the pipeline for every one of thousands of clients.
enum WebSocketWire {
    /// Frame opcodes the bench distinguishes.
    enum Opcode: UInt8 {
        case continuation = 0x0
        case text = 0x1
        case binary = 0x2
        case close = 0x8
        case ping = 0x9
        case pong = 0xA
    }

    /// One complete frame read from the server.
    struct Frame {
        /// What kind of frame, or nil for an opcode the bench does not know.
        let opcode: Opcode?
        /// Whether this frame ends its message.
        let fin: Bool
        /// RSV1: on a message's first frame, a permessage-deflate (compressed) message.
        let rsv1: Bool
        /// The unmasked payload.
        let payload: ByteBuffer
        /// The frame's size on the wire, header included.
        let wireLength: Int
    }

    /// Removes and returns the next complete frame from `buffer`, or nil when it holds only part of one.
    static func readFrame(from buffer: inout ByteBuffer) -> Frame? {
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self),
            let second = buffer.getInteger(at: start + 1, as: UInt8.self)
        else { return nil }
        var offset = start + 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let value = buffer.getInteger(at: offset, as: UInt16.self) else { return nil }
            length = Int(value)
            offset += 2
        } else if length == 127 {
            guard let value = buffer.getInteger(at: offset, as: UInt64.self) else { return nil }
            length = Int(value)
            offset += 8
        }
        var mask: [UInt8]? = nil
        if second & 0x80 != 0 {
            guard let bytes = buffer.getBytes(at: offset, length: 4) else { return nil }
            mask = bytes
            offset += 4
        }
        guard var payload = buffer.getSlice(at: offset, length: length) else { return nil }
        buffer.moveReaderIndex(to: offset + length)
        if let mask {
            payload.withUnsafeMutableReadableBytes { bytes in
                for index in bytes.indices { bytes[index] ^= mask[index & 3] }
            }
        }
        return Frame(
            opcode: Opcode(rawValue: first & 0x0F),
            fin: first & 0x80 != 0,
            rsv1: first & 0x40 != 0,
            payload: payload,
            wireLength: offset + length - start
        )
    }

    /// Appends one final, masked client frame carrying `payload` to `out`; `compressed` sets RSV1.
    static func writeFrame(_ opcode: Opcode, payload: some Collection<UInt8>, compressed: Bool = false, to out: inout ByteBuffer) {
        out.writeInteger(0x80 | (compressed ? 0x40 : 0) | opcode.rawValue)
        let count = payload.count
        if count < 126 {
            out.writeInteger(UInt8(0x80 | count))
        } else if count < 65536 {
            out.writeInteger(UInt8(0x80 | 126))
            out.writeInteger(UInt16(count))
        } else {
            out.writeInteger(UInt8(0x80 | 127))
            out.writeInteger(UInt64(count))
        }
        let mask = UInt32.random(in: .min ... .max)
        out.writeInteger(mask)
        let maskBytes = [UInt8(mask >> 24), UInt8((mask >> 16) & 0xFF), UInt8((mask >> 8) & 0xFF), UInt8(mask & 0xFF)]
        for (index, byte) in payload.enumerated() { out.writeInteger(byte ^ maskBytes[index & 3]) }
    }
}
