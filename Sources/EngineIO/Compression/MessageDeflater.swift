import CZlib
public import NIOCore

/// Compresses one WebSocket message on its own (no context takeover), as RFC 7692 section 7.2.1 describes: raw
/// deflate, flushed with `Z_SYNC_FLUSH`, the trailing `00 00 ff ff` removed.
///
/// Every call runs a fresh deflate stream, so the result depends on the payload and the window only and can be
/// shared by every client that agreed to that window.
public enum MessageDeflater {
    /// zlib's default level (6): the ratio the `ws` library gets, at a cost paid once per broadcast.
    static let level = Z_DEFAULT_COMPRESSION
    /// The empty stored block a sync flush ends with; RFC 7692 has the sender remove it and the receiver add it back.
    static let syncFlushTail: [UInt8] = [0x00, 0x00, 0xff, 0xff]

    /// The compressed payload of `payload` with a window of `windowBits` (9 to 15), counted in `counters`; nil if zlib
    /// fails (out of memory).
    public static func deflate(
        _ payload: ByteBuffer,
        windowBits: Int,
        allocator: ByteBufferAllocator,
        counting counters: PerMessageDeflateCounters? = nil
    ) -> ByteBuffer? {
        counters?.countCompression()
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        guard herald_deflate_init_raw(stream, level, Int32(windowBits)) == Z_OK else { return nil }
        let bound = Int(deflateBound(stream, uLong(payload.readableBytes))) + 16
        var output = allocator.buffer(capacity: bound)
        var status = Z_STREAM_ERROR
        payload.withUnsafeReadableBytes { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { buffer in
                stream.pointee.next_out = buffer.bindMemory(to: Bytef.self).baseAddress
                stream.pointee.avail_out = uInt(buffer.count)
                status = CZlib.deflate(stream, Z_SYNC_FLUSH)
                return buffer.count - Int(stream.pointee.avail_out)
            }
        }
        guard status == Z_OK, stream.pointee.avail_in == 0, output.readableBytesView.suffix(4).elementsEqual(syncFlushTail) else {
            return nil
        }
        output.moveWriterIndex(to: output.writerIndex - syncFlushTail.count)
        return output
    }
}
