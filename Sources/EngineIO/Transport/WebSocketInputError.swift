import NIOWebSocket

/// What went wrong with a client's WebSocket input, as the pipeline's handlers report it in `errorCaught`: every
/// server-side WebSocket protocol closes alike for each kind.
public enum WebSocketInputError: Sendable, Hashable {
    /// A frame or an aggregated (or inflated) message over the limit: close 1009 (`websocket_message_too_large`).
    case messageTooLarge
    /// A frame that breaks RFC 6455 (from SwiftNIO's decoder, the aggregator or ``WebSocketFrameValidator``): close
    /// 1002 (`websocket_protocol_error`).
    case protocolViolation
    /// Anything else (a read error): just close.
    case other

    /// The kind of `error`.
    public init(_ error: any Error) {
        switch error {
        case NIOWebSocketError.invalidFrameLength, NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge,
            PerMessageDeflateError.messageTooLarge:
            self = .messageTooLarge
        case is NIOWebSocketError, is NIOWebSocketFrameAggregator.Error, is WebSocketFrameViolation, is PerMessageDeflateError:
            self = .protocolViolation
        default:
            self = .other
        }
    }
}
