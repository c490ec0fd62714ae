import NIOCore
import NIOWebSocket

/// The Engine.IO WebSocket transport: turns frames into packets for its session and packets into frames.
///
/// Lives on its channel's event loop. Outbound writes go straight to the channel; when the channel stops being
/// writable (more than `maxOutboundBufferBytes` queued) the next write, data or pong, closes it instead of
/// buffering more, so a client that sends pings and never reads cannot grow the server.
/// Broadcast frames arrive already encoded: they skip SwiftNIO's frame encoder and are flushed by the loop's
/// ``FlushCoalescer``, once for all the frames written to this socket in one loop turn.
final class WebSocketTransportHandler: ChannelInboundHandler, RemovableChannelHandler, CoalescedFlushTarget {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// How the socket found its session.
    enum Binding {
        /// A WebSocket-only client: the session is created when the handler is added.
        case newSession(EngineServer, EngineHandshake, EngineProtocolVersion)
        /// An upgrade from polling.
        case existing(EngineSession)
    }

    private var binding: Binding?
    private var session: EngineSession?
    private var version: EngineProtocolVersion = .v4
    private var context: ChannelHandlerContext?
    /// Where broadcast frames, encoded once for every recipient, enter the pipeline and how they are flushed.
    private var encodedFrames: EncodedFrameOutput
    private var isClosing = false
    /// Pongs written in this read burst, flushed once at its end rather than one system call per ping.
    private var awaitsPongFlush = false
    /// The channel's writability as last announced, so a broadcast write does not have to ask the channel.
    private var isWritable = true
    private let maxPayload: Int
    private let closures: ConnectionClosureCounts
    private let deflate: WebSocketDeflate?

    init(
        binding: Binding,
        maxPayload: Int,
        coalescer: FlushCoalescer,
        closures: ConnectionClosureCounts,
        deflate: WebSocketDeflate? = nil
    ) {
        self.binding = binding
        self.maxPayload = maxPayload
        self.encodedFrames = EncodedFrameOutput(coalescer: coalescer)
        self.closures = closures
        self.deflate = deflate
    }

    /// The frame decoder's hard limit. Frames between `maxPayload` and this are read in full and then refused with
    /// close code 1009, so the close frame is not lost to a TCP reset caused by unread input.
    static func frameSizeCeiling(maxPayload: Int) -> Int {
        min(Int(UInt32.max), maxPayload + (1 << 20))
    }

    private var link: WebSocketLink? {
        guard let context else { return nil }
        return WebSocketLink(channel: context.channel, handler: NIOLoopBound(self, eventLoop: context.eventLoop), deflate: deflate)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        encodedFrames.attach(to: context)
        guard let binding, let link else { return }
        self.binding = nil
        switch binding {
        case .newSession(let server, let handshake, let version):
            self.version = version
            session = server.openWebSocketSession(link: link, handshake: handshake, version: version)
        case .existing(let session):
            self.version = session.version
            self.session = session
            session.attach(upgradeCandidate: link)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        encodedFrames.detach()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !isClosing else { return }
        guard frame.length <= maxPayload else {
            fail(.webSocketMessageTooLarge, code: .messageTooLarge)
            return
        }
        switch frame.opcode {
        case .text:
            let payload = frame.unmaskedData
            guard let text = String(validating: payload.readableBytesView, as: UTF8.self) else {
                fail(.webSocketInvalidText, code: .dataInconsistentWithMessage)
                return
            }
            deliver { version throws(EngineProtocolError) in
                try EnginePacketCodec.decode(text: text[...], version: version, allowBase64Binary: false)
            }
        case .binary:
            let data = frame.unmaskedData
            deliver { version throws(EngineProtocolError) in
                try EnginePacketCodec.decode(binaryFrame: data, version: version)
            }
        case .ping:
            guard isWritable else {
                abandonSlowConsumer()
                return
            }
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.write(wrapOutboundOut(pong), promise: nil)
            awaitsPongFlush = true
        case .connectionClose:
            close(code: .normalClosure)
        default:
            break
        }
    }

    private func deliver(_ decode: (EngineProtocolVersion) throws(EngineProtocolError) -> EnginePacket) {
        guard let session, let link else { return }
        let result = Result { () throws(EngineProtocolError) in try decode(version) }
        if session.eventLoop.inEventLoop {
            Self.hand(result, to: session, via: link)
        } else {
            session.eventLoop.execute { Self.hand(result, to: session, via: link) }
        }
    }

    private static func hand(_ result: Result<EnginePacket, EngineProtocolError>, to session: EngineSession, via link: WebSocketLink) {
        switch result {
        case .success(let packet): session.receive(packet, via: link)
        case .failure(let error): session.receiveMalformed(error)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if awaitsPongFlush {
            awaitsPongFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        notifySessionOfClose()
        context.fireChannelInactive()
    }

    /// Frame errors from the decoder, ``WebSocketFrameValidator`` and the fragment aggregator close with the code
    /// RFC 6455 names; anything else (a read error) just closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch WebSocketInputError(error) {
        case .messageTooLarge: fail(.webSocketMessageTooLarge, code: .messageTooLarge)
        case .protocolViolation: fail(.webSocketProtocolError, code: .protocolError)
        case .other: context.close(promise: nil)
        }
    }

    /// Closes with `code` because the client broke the protocol, counting why.
    private func fail(_ closure: ConnectionClosure, code: WebSocketErrorCode) {
        guard !isClosing, context != nil else { return }
        closures.record(closure)
        close(code: code)
    }

    /// Closes a socket whose client does not read: the close frame is sent if it fits, but the channel is closed at
    /// once instead of waiting behind the unread bytes, which are freed with it.
    private func abandonSlowConsumer() {
        guard let context, !isClosing else { return }
        isClosing = true
        closures.record(.slowConsumer)
        WebSocketClosing.abandon(context)
    }

    private func notifySessionOfClose() {
        guard let session, let link else { return }
        self.session = nil
        if session.eventLoop.inEventLoop {
            session.webSocketClosed(link)
        } else {
            session.eventLoop.execute { session.webSocketClosed(link) }
        }
    }

    /// Writes one frame (`compressed`: a permessage-deflate message, RSV1 set) and leaves the flush to the loop's
    /// coalescer, like a broadcast's: the messages one client is sent in one loop turn (a reliable emit per message,
    /// each with its own ack ID) leave in one system call; a channel already over its outbound bound is closed
    /// instead.
    func write(_ payload: ByteBuffer, isBinary: Bool, compressed: Bool = false) {
        guard let context, !isClosing else { return }
        guard context.channel.isWritable else {
            abandonSlowConsumer()
            return
        }
        let frame = WebSocketFrame(fin: true, rsv1: compressed, opcode: isBinary ? .binary : .text, data: payload)
        context.write(wrapOutboundOut(frame), promise: nil)
        if encodedFrames.isAttached {
            encodedFrames.flushSoon(self)
        } else {
            context.flush()
        }
    }

    /// Writes a complete encoded frame (see ``WebSocketFrameBytes``) and leaves the flush to the loop's coalescer;
    /// a channel already over its outbound bound is closed instead.
    func writeCoalesced(encodedFrame: ByteBuffer) {
        guard encodedFrames.isAttached, !isClosing else { return }
        guard isWritable else {
            abandonSlowConsumer()
            return
        }
        encodedFrames.write(encodedFrame, flushing: self)
    }

    /// Flushes what ``writeCoalesced(encodedFrame:)`` wrote; called by the coalescer.
    func flushCoalescedWrites() {
        encodedFrames.flush()
    }

    /// Sends a close frame with `code`, then closes the channel.
    func close(code: WebSocketErrorCode) {
        guard let context, !isClosing else { return }
        isClosing = true
        WebSocketClosing.close(context, code: code)
    }
}
