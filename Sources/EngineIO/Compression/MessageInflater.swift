import CZlib
public import NIOCore

/// Inflates the compressed messages of one client (RFC 7692 section 7.2.2), never producing more than a bound.
///
/// One raw inflate stream per connection, created at the first compressed message: its window carries over to the
/// next message (the client's context takeover) unless ``reset()`` is called after each. Confined to the connection's
/// event loop.
public final class MessageInflater {
    private var stream: UnsafeMutablePointer<z_stream>?
    private let allocator: ByteBufferAllocator
    /// How much output zlib is given at a time: the output buffer grows by this until the message's bound.
    private static let chunkSize = 16 * 1024
    private static let syncFlushTail = ByteBuffer(bytes: MessageDeflater.syncFlushTail)

    /// An inflater whose output buffers come from `allocator`.
    public init(allocator: ByteBufferAllocator) {
        self.allocator = allocator
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
    }

    /// Inflates one frame's payload of a compressed message; the last frame (`isFinal`) gets RFC 7692's
    /// `00 00 ff ff` appended. Throws ``PerMessageDeflateError/messageTooLarge`` as soon as the output would exceed
    /// `limit` bytes, so a small frame cannot make the server allocate more than the bound.
    public func inflate(_ input: ByteBuffer, isFinal: Bool, limit: Int) throws(PerMessageDeflateError) -> ByteBuffer {
        let stream = try openStream()
        var output = allocator.buffer(capacity: min(Self.chunkSize, limit + 1))
        try input.withUnsafeReadableBytes { bytes throws(PerMessageDeflateError) in
            try feed(bytes, to: stream, into: &output, limit: limit)
        }
        if isFinal {
            try Self.syncFlushTail.withUnsafeReadableBytes { bytes throws(PerMessageDeflateError) in
                try feed(bytes, to: stream, into: &output, limit: limit)
            }
        }
        return output
    }

    /// Forgets the window, for a client that compresses every message on its own.
    public func reset() {
        if let stream {
            inflateReset(stream)
        }
    }

    private func openStream() throws(PerMessageDeflateError) -> UnsafeMutablePointer<z_stream> {
        if let stream { return stream }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard herald_inflate_init_raw(stream, 15) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw .corruptData
        }
        self.stream = stream
        return stream
    }

    private func feed(
        _ bytes: UnsafeRawBufferPointer,
        to stream: UnsafeMutablePointer<z_stream>,
        into output: inout ByteBuffer,
        limit: Int
    ) throws(PerMessageDeflateError) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.bindMemory(to: Bytef.self).baseAddress)
        stream.pointee.avail_in = uInt(bytes.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        while true {
            // One byte over the bound is asked for, so reaching it proves the message too large.
            let room = min(Self.chunkSize, limit + 1 - output.readableBytes)
            guard room > 0 else { throw .messageTooLarge }
            var status = Z_OK
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { buffer in
                stream.pointee.next_out = buffer.bindMemory(to: Bytef.self).baseAddress
                stream.pointee.avail_out = uInt(room)
                status = CZlib.inflate(stream, Z_SYNC_FLUSH)
                return room - Int(stream.pointee.avail_out)
            }
            guard output.readableBytes <= limit else { throw .messageTooLarge }
            switch status {
            case Z_STREAM_END:
                // The client ended its deflate stream (a final block): the next message starts a new one.
                inflateReset(stream)
                guard stream.pointee.avail_in == 0 else { throw .corruptData }
                return
            case Z_OK, Z_BUF_ERROR:
                if stream.pointee.avail_in == 0, stream.pointee.avail_out > 0 { return }
            default:
                throw .corruptData
            }
        }
    }
}

/// Why a compressed message from a client was refused.
public enum PerMessageDeflateError: Error, Hashable, Sendable {
    /// It inflates to more than the transport's message limit: close 1009, as for an oversized frame.
    case messageTooLarge
    /// It is no valid raw deflate data: close 1002.
    case corruptData
}
