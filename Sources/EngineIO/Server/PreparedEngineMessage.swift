public import NIOCore

/// A message encoded once so that a broadcast writes the same bytes to every recipient.
///
/// The WebSocket frames (header included) share their storage: handing one to a thousand sockets copies no bytes
/// and encodes nothing per socket.
public struct PreparedEngineMessage: Sendable {
    /// The message itself, for polling queues.
    public let message: EngineMessage
    private let frameV4: ByteBuffer
    private let frameV3: ByteBuffer
    /// Whether the message travels in a binary WebSocket frame.
    public let isBinary: Bool

    /// Encodes `message` for both protocol versions.
    public init(_ message: EngineMessage, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.message = message
        let v4 = EnginePacketCodec.encodeWebSocketFrame(.message(message), version: .v4, allocator: allocator)
        self.isBinary = v4.isBinary
        self.frameV4 = WebSocketFrameBytes.encode(v4.payload, isBinary: v4.isBinary, allocator: allocator)
        if v4.isBinary {
            let v3 = EnginePacketCodec.encodeWebSocketFrame(.message(message), version: .v3, allocator: allocator)
            self.frameV3 = WebSocketFrameBytes.encode(v3.payload, isBinary: v3.isBinary, allocator: allocator)
        } else {
            self.frameV3 = frameV4
        }
    }

    /// The complete WebSocket frame (header and payload) for a session speaking `version`.
    public func webSocketFrame(for version: EngineProtocolVersion) -> ByteBuffer {
        version == .v4 ? frameV4 : frameV3
    }
}
