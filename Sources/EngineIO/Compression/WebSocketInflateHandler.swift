public import NIOCore
public import NIOWebSocket

/// Inflates a client's compressed messages (RSV1 on their first frame) frame by frame, before the fragments are
/// reassembled, so the handlers after it see plain frames.
///
/// Added only to connections that negotiated permessage-deflate, right after ``WebSocketFrameValidator`` (which lets
/// RSV1 through only there, and only on a message's first frame). A message inflating to more than `maxMessageBytes`
/// is reported as ``PerMessageDeflateError/messageTooLarge`` (close 1009) the moment its output passes the bound;
/// nothing of the connection is read after an error.
public final class WebSocketInflateHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = WebSocketFrame
    public typealias InboundOut = WebSocketFrame

    private let inflater: MessageInflater
    private let maxMessageBytes: Int
    private let resetsAfterEachMessage: Bool
    /// Bytes inflated so far of the compressed message being read, or nil between messages and in an uncompressed one.
    private var inflatedBytes: Int?
    private var failed = false

    /// The inflater of a connection that agreed to `deflate`, bounding each message to `maxMessageBytes`.
    public init(deflate: PerMessageDeflate, maxMessageBytes: Int, allocator: ByteBufferAllocator) {
        self.inflater = MessageInflater(allocator: allocator)
        self.maxMessageBytes = maxMessageBytes
        self.resetsAfterEachMessage = deflate.clientNoContextTakeover
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            inflatedBytes = frame.rsv1 ? 0 : nil
        case .continuation:
            break
        default:
            context.fireChannelRead(data)
            return
        }
        guard let inflatedBytes else {
            context.fireChannelRead(data)
            return
        }
        do throws(PerMessageDeflateError) {
            let payload = try inflater.inflate(frame.unmaskedData, isFinal: frame.fin, limit: maxMessageBytes - inflatedBytes)
            self.inflatedBytes = frame.fin ? nil : inflatedBytes + payload.readableBytes
            if frame.fin, resetsAfterEachMessage {
                inflater.reset()
            }
            context.fireChannelRead(wrapInboundOut(WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: payload)))
        } catch {
            failed = true
            context.fireErrorCaught(error)
        }
    }
}
