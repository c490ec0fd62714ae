public import NIOCore

/// A message encoded once so that a broadcast writes the same bytes to every recipient.
///
/// The WebSocket frame payloads share their storage: handing one to a thousand sockets copies no bytes.
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
        self.frameV4 = v4.payload
        self.isBinary = v4.isBinary
        if v4.isBinary {
            self.frameV3 = EnginePacketCodec.encodeWebSocketFrame(.message(message), version: .v3, allocator: allocator).payload
        } else {
            self.frameV3 = v4.payload
        }
    }

    /// The WebSocket frame payload for a session speaking `version`.
    public func webSocketPayload(for version: EngineProtocolVersion) -> ByteBuffer {
        version == .v4 ? frameV4 : frameV3
    }
}
