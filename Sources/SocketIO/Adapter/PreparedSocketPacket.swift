import EngineIO
import NIOCore

/// A Socket.IO packet encoded once: its text part and binary attachments, ready for any number of sockets.
struct PreparedSocketPacket: Sendable {
    let parts: [PreparedEngineMessage]
    /// The offset of a recorded event (see ``ConnectionStateRecovery``).
    let offset: RecoveryOffset?
    /// The event decoded and rendered for recipients on other wires, shared by all of them.
    let renderings: BroadcastRenderings

    init(_ packet: SocketPacket, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.init(encoded: SocketPacketEncoder.encode(packet), offset: nil, allocator: allocator)
    }

    init(
        encoded: (text: String, attachments: [ByteBuffer]),
        offset: RecoveryOffset? = nil,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        var parts = [PreparedEngineMessage(.text(encoded.text), allocator: allocator)]
        for attachment in encoded.attachments {
            parts.append(PreparedEngineMessage(.binary(attachment), allocator: allocator))
        }
        self.parts = parts
        self.offset = offset
        self.renderings = BroadcastRenderings(text: encoded.text, hasOffset: offset != nil)
    }

    /// A recorded event: its text with the offset appended.
    init(recorded event: RecordedEvent) {
        self.init(encoded: (event.textWithOffset, []), offset: event.offset)
    }
}
