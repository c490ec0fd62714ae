public import NIOCore
public import NIOWebSocket

/// How a server-side WebSocket handler ends its connection; every WebSocket protocol Herald serves closes alike.
public enum WebSocketClosing {
    /// Sends a close frame with `code`, then closes the channel once the frame is written.
    public static func close(_ context: ChannelHandlerContext, code: WebSocketErrorCode) {
        let channel = context.channel
        context.writeAndFlush(NIOAny(closeFrame(code, allocator: channel.allocator))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Ends the connection of a client that does not read, or has gone silent: the close frame (1008 unless told
    /// otherwise) is sent if it fits, and the channel is closed at once instead of waiting behind unread bytes
    /// (freed with it) or for a peer that may be gone.
    public static func abandon(_ context: ChannelHandlerContext, code: WebSocketErrorCode = .policyViolation) {
        context.writeAndFlush(NIOAny(closeFrame(code, allocator: context.channel.allocator)), promise: nil)
        context.close(promise: nil)
    }

    private static func closeFrame(_ code: WebSocketErrorCode, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var data = allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }
}
