import NIOCore

/// One WebSocket bench client's whole byte stream: the HTTP upgrade, the WebSocket frames (pings answered, fragments
/// joined, permessage-deflate messages inflated), and its `Dialect`'s messages turned into setup steps, replies, acks and the accounting of every bench
/// event received.
final class WebSocketClientHandler<Dialect: WebSocketDialect>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where the connection is.
    private enum Phase {
        case upgrading
        case open
        case joined
        case closing
    }

    private let identity: ClientIdentity
    private let recorder: LoopRecorder
    private var join: JoinSignal
    private var phase = Phase.upgrading
    private var inbound: ByteBuffer?
    private var fragments: ByteBuffer?
    /// Whether the message being reassembled is compressed (its first frame had RSV1).
    private var fragmentsCompressed = false
    private lazy var inflater = MessageInflater()

    /// Creates the handler; `join` completes when the server admits the client or setup fails.
    init(identity: ClientIdentity, recorder: LoopRecorder, join: JoinSignal) {
        self.identity = identity
        self.recorder = recorder
        self.join = join
    }

    func channelActive(context: ChannelHandlerContext) {
        join.start(context)
        let request = identity.webSocketUpgrade(to: Dialect.upgradeTarget(for: identity))
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .joined = phase { recorder.recordDrop() }
        join.fail(JoinFailure.closed)
        phase = .closing
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        join.fail(JoinFailure.connect("\(error)"))
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var pending = inbound {
            pending.writeBuffer(&bytes)
            bytes = pending
            inbound = nil
        }
        if case .upgrading = phase {
            guard let head = ResponseHead.read(from: &bytes) else {
                inbound = bytes
                return
            }
            guard head.status == 101 else {
                join.fail(JoinFailure.upgrade(head.statusLine))
                close(context)
                return
            }
            phase = .open
        }
        while let frame = WebSocketWire.readFrame(from: &bytes) {
            recorder.recordWireBytes(frame.wireLength)
            handle(frame, context: context)
            if case .closing = phase { return }
        }
        if bytes.readableBytes > 0 {
            bytes.discardReadBytes()
            inbound = bytes
        }
    }

    private func handle(_ frame: WebSocketWire.Frame, context: ChannelHandlerContext) {
        switch frame.opcode {
        case .text, .continuation:
            var message = frame.payload
            var compressed = frame.rsv1
            if !frame.fin || fragments != nil {
                if fragments == nil { fragmentsCompressed = frame.rsv1 }
                var collected = fragments ?? context.channel.allocator.buffer(capacity: message.readableBytes)
                collected.writeBuffer(&message)
                guard frame.fin else {
                    fragments = collected
                    return
                }
                fragments = nil
                message = collected
                compressed = fragmentsCompressed
            }
            if compressed {
                guard let inflated = inflater.inflate(message, allocator: context.channel.allocator) else {
                    close(context)
                    return
                }
                message = inflated
            }
            let reaction = message.withUnsafeReadableBytes { Dialect.reaction(to: $0, identity: identity) }
            act(on: reaction, context: context)
        case .ping:
            send(.pong, Array(frame.payload.readableBytesView), context: context)
        case .close:
            close(context)
        case .binary, .pong, .none:
            break
        }
    }

    private func act(on reaction: ClientReaction, context: ChannelHandlerContext) {
        switch reaction {
        case .none:
            break
        case .reply(let text):
            send(.text, text, context: context)
        case .joined:
            phase = .joined
            join.succeed()
        case .refused(let reason):
            join.fail(JoinFailure.refused(reason))
            close(context)
        case .ended:
            close(context)
        case .received(let delivery, let ack):
            if let delivery {
                recorder.record(
                    client: identity.index,
                    stamps: delivery.stamps,
                    batch: delivery.batch,
                    reconnected: identity.reconnected,
                    nowMicros: WallClock.microseconds()
                )
            }
            if let ack { send(.text, ack, context: context) }
        }
    }

    /// Closes the connection at the server's word (a close frame, a disconnect, a refusal): a joined client counts
    /// as dropped.
    private func close(_ context: ChannelHandlerContext) {
        if case .joined = phase { recorder.recordDrop() }
        phase = .closing
        context.close(promise: nil)
    }

    private func send(_ opcode: WebSocketWire.Opcode, _ payload: [UInt8], context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: payload.count + 14)
        WebSocketWire.writeFrame(opcode, payload: payload, to: &out)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }
}
