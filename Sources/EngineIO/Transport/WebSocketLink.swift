import NIOCore
import NIOWebSocket

/// A session's handle on its WebSocket, usable from the session's event loop even when the socket lives on another.
///
/// A client that upgrades from polling may open its WebSocket on a different event loop than the one owning its
/// session; writes then hop to the socket's loop.
struct WebSocketLink: Sendable, Equatable {
    let channel: any Channel
    let handler: NIOLoopBound<WebSocketTransportHandler>
    /// The permessage-deflate agreement of the socket, if its client offered it and the server accepted.
    let deflate: WebSocketDeflate?

    func write(_ payload: ByteBuffer, isBinary: Bool, compressed: Bool = false) {
        if channel.eventLoop.inEventLoop {
            handler.value.write(payload, isBinary: isBinary, compressed: compressed)
        } else {
            let handler = self.handler
            channel.eventLoop.execute { handler.value.write(payload, isBinary: isBinary, compressed: compressed) }
        }
    }

    /// Writes one message, compressed when `compression` asks for it, the client agreed and the payload reaches the
    /// threshold; compressed here, for this socket alone (broadcasts share theirs, see ``PreparedEngineMessage``).
    func write(_ payload: ByteBuffer, isBinary: Bool, compression: MessageCompression?, allocator: ByteBufferAllocator) {
        if let compression, let deflate, payload.readableBytes >= compression.threshold,
            let compressed = MessageDeflater.deflate(
                payload,
                windowBits: deflate.agreement.serverMaxWindowBits,
                allocator: allocator,
                counting: deflate.counters
            )
        {
            write(compressed, isBinary: isBinary, compressed: true)
        } else {
            write(payload, isBinary: isBinary)
        }
    }

    /// The frame of `prepared` this socket is sent: the shared compressed one when it applies, else the plain one.
    func frame(of prepared: PreparedEngineMessage, version: EngineProtocolVersion, compression: MessageCompression?) -> ByteBuffer {
        guard let compression, let deflate else { return prepared.webSocketFrame(for: version) }
        return prepared.webSocketFrame(for: version, deflate: deflate.agreement, compression: compression, counters: deflate.counters)
    }

    /// Writes a complete encoded frame, flushed with the other writes of the socket's loop turn.
    func write(encodedFrame: ByteBuffer) {
        if channel.eventLoop.inEventLoop {
            handler.value.writeCoalesced(encodedFrame: encodedFrame)
        } else {
            let handler = self.handler
            channel.eventLoop.execute { handler.value.writeCoalesced(encodedFrame: encodedFrame) }
        }
    }

    func close(code: WebSocketErrorCode) {
        if channel.eventLoop.inEventLoop {
            handler.value.close(code: code)
        } else {
            let handler = self.handler
            channel.eventLoop.execute { handler.value.close(code: code) }
        }
    }

    static func == (lhs: WebSocketLink, rhs: WebSocketLink) -> Bool {
        lhs.channel === rhs.channel
    }
}

/// A socket's permessage-deflate agreement and the server's counters its compressions count in.
struct WebSocketDeflate: Sendable {
    let agreement: PerMessageDeflate
    let counters: PerMessageDeflateCounters
}
