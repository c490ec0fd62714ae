import EngineIO
import NIOCore

/// A Socket.IO packet encoded once: its text part and binary attachments, ready for any number of sockets.
struct PreparedSocketPacket: Sendable {
    let parts: [PreparedEngineMessage]

    init(_ packet: SocketPacket, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.init(encoded: SocketPacketEncoder.encode(packet), allocator: allocator)
    }

    init(encoded: (text: String, attachments: [ByteBuffer]), allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var parts = [PreparedEngineMessage(.text(encoded.text), allocator: allocator)]
        for attachment in encoded.attachments {
            parts.append(PreparedEngineMessage(.binary(attachment), allocator: allocator))
        }
        self.parts = parts
    }
}
