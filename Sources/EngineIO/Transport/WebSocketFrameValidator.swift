public import NIOCore
public import NIOWebSocket

/// Refuses client frames that RFC 6455 says a server must fail the connection for, before they are reassembled:
/// unmasked frames (section 5.1), RSV bits without a negotiated extension (5.2) and reserved opcodes (5.2). The only
/// extension Herald negotiates is permessage-deflate (RFC 7692): on such a connection RSV1 may mark the first frame of
/// a text or binary message, and nowhere else.
///
/// SwiftNIO's frame decoder accepts all three. The first bad frame is reported as a ``WebSocketFrameViolation`` to
/// the transport, which closes with 1002; nothing after it is passed on. Any ``WebSocketEndpoint`` puts it right
/// after the frame decoder.
public final class WebSocketFrameValidator: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = WebSocketFrame
    public typealias InboundOut = WebSocketFrame

    private var failed = false
    private let allowsCompressedMessages: Bool

    /// Creates the validator of one connection; `allowsCompressedMessages` when it negotiated permessage-deflate.
    public init(allowsCompressedMessages: Bool = false) {
        self.allowsCompressedMessages = allowsCompressedMessages
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let frame = unwrapInboundIn(data)
        if let violation = WebSocketFrameViolation(frame, allowsCompressedMessages: allowsCompressedMessages) {
            failed = true
            context.fireErrorCaught(violation)
        } else {
            context.fireChannelRead(data)
        }
    }
}

/// A client frame breaking RFC 6455.
public enum WebSocketFrameViolation: Error, Equatable {
    case unmasked
    case reservedBits
    case reservedOpcode

    /// The violation in `frame`, or nil when the frame may be read; RSV1 is allowed on the first frame of a message
    /// when `allowsCompressedMessages` (permessage-deflate was negotiated).
    public init?(_ frame: WebSocketFrame, allowsCompressedMessages: Bool = false) {
        let compressible = allowsCompressedMessages && (frame.opcode == .text || frame.opcode == .binary)
        if frame.maskKey == nil {
            self = .unmasked
        } else if (frame.rsv1 && !compressible) || frame.rsv2 || frame.rsv3 {
            self = .reservedBits
        } else if !Self.definedOpcodes.contains(frame.opcode) {
            self = .reservedOpcode
        } else {
            return nil
        }
    }

    private static let definedOpcodes: [WebSocketOpcode] = [.continuation, .text, .binary, .connectionClose, .ping, .pong]
}
