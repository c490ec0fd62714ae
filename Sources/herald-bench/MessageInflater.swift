import CZlib
import NIOCore

/// Inflates the permessage-deflate messages (RFC 7692) one bench client receives: raw deflate, each message with
/// `00 00 ff ff` appended, the stream reset after every message (Herald answers `server_no_context_takeover`).
final class MessageInflater {
    private var stream: UnsafeMutablePointer<z_stream>?

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
    }

    /// The inflated message of `compressed` (all of its frames' payloads), or nil when it is no valid deflate data.
    func inflate(_ compressed: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard let stream = openStream() else { return nil }
        defer { inflateReset(stream) }
        var input = compressed
        input.writeBytes([0x00, 0x00, 0xff, 0xff])
        var output = allocator.buffer(capacity: max(4 * input.readableBytes, 1024))
        return input.withUnsafeReadableBytes { bytes -> ByteBuffer? in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.bindMemory(to: Bytef.self).baseAddress)
            stream.pointee.avail_in = uInt(bytes.count)
            while true {
                var status = Z_OK
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { buffer in
                    stream.pointee.next_out = buffer.bindMemory(to: Bytef.self).baseAddress
                    stream.pointee.avail_out = uInt(buffer.count)
                    status = CZlib.inflate(stream, Z_SYNC_FLUSH)
                    return buffer.count - Int(stream.pointee.avail_out)
                }
                switch status {
                case Z_STREAM_END:
                    return output
                case Z_OK, Z_BUF_ERROR:
                    if stream.pointee.avail_in == 0, stream.pointee.avail_out > 0 { return output }
                default:
                    return nil
                }
            }
        }
    }

    private func openStream() -> UnsafeMutablePointer<z_stream>? {
        if let stream { return stream }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard herald_inflate_init_raw(stream, 15) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
        self.stream = stream
        return stream
    }
}
