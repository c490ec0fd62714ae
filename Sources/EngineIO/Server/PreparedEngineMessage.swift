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
    /// The permessage-deflate renderings, made when a recipient first needs one and shared by all.
    private let deflatedV4 = DeflatedFrames()
    private let deflatedV3: DeflatedFrames

    /// Encodes `message` for both protocol versions.
    public init(_ message: EngineMessage, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.message = message
        let v4 = EnginePacketCodec.encodeWebSocketFrame(.message(message), version: .v4, allocator: allocator)
        self.isBinary = v4.isBinary
        self.frameV4 = WebSocketFrameBytes.encode(v4.payload, isBinary: v4.isBinary, allocator: allocator)
        if v4.isBinary {
            let v3 = EnginePacketCodec.encodeWebSocketFrame(.message(message), version: .v3, allocator: allocator)
            self.frameV3 = WebSocketFrameBytes.encode(v3.payload, isBinary: v3.isBinary, allocator: allocator)
            self.deflatedV3 = DeflatedFrames()
        } else {
            self.frameV3 = frameV4
            self.deflatedV3 = deflatedV4
        }
    }

    /// The complete WebSocket frame (header and payload) for a session speaking `version`.
    public func webSocketFrame(for version: EngineProtocolVersion) -> ByteBuffer {
        version == .v4 ? frameV4 : frameV3
    }

    /// The WebSocket frame for a session speaking `version` whose client agreed to `deflate`: compressed (once for
    /// all such recipients) when `compression` asks for it and the payload reaches its threshold, else the plain frame.
    func webSocketFrame(
        for version: EngineProtocolVersion,
        deflate: PerMessageDeflate,
        compression: MessageCompression,
        counters: PerMessageDeflateCounters
    ) -> ByteBuffer {
        let frame = webSocketFrame(for: version)
        let headerLength = WebSocketFrameBytes.headerLength(ofFrame: frame)
        let payloadLength = frame.readableBytes - headerLength
        guard payloadLength >= compression.threshold else { return frame }
        let deflated = version == .v4 ? deflatedV4 : deflatedV3
        let rendering = deflated.frame(isBinary: isBinary, windowBits: deflate.serverMaxWindowBits, counters: counters) {
            frame.getSlice(at: frame.readerIndex + headerLength, length: payloadLength) ?? frame
        }
        return rendering ?? frame
    }
}
