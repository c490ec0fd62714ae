import NIOCore
import NIOWebSocket

/// A session's handle on its WebSocket, usable from the session's event loop even when the socket lives on another.
///
/// A client that upgrades from polling may open its WebSocket on a different event loop than the one owning its
/// session; writes then hop to the socket's loop.
struct WebSocketLink: Sendable, Equatable {
    let channel: any Channel
    let handler: NIOLoopBound<WebSocketTransportHandler>

    func write(_ payload: ByteBuffer, isBinary: Bool) {
        if channel.eventLoop.inEventLoop {
            handler.value.write(payload, isBinary: isBinary)
        } else {
            let handler = self.handler
            channel.eventLoop.execute { handler.value.write(payload, isBinary: isBinary) }
        }
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
