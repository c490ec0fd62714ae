import EngineIO
import Herald
import NIOCore
import NIOWebSocket

/// One event-server listener WebSocket: reads its init messages, answers them, and writes the events it subscribed
/// to. Sits after ``WebSocketFrameValidator`` and the frame aggregator.
///
/// Like the original, an init message that is refused is answered and the listener may try again; unlike it, a
/// listener without a successful init within `initTimeout` is closed (1008), a message over `maxMessageBytes`
/// closes it (1009), as does an init naming more than `maxEventTypes` types (1008), and a listener that stops reading
/// is closed when its outbound buffer is full (1008), so no listener holds memory without bound.
final class EventListenerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let server: EventServer
    private let closures: ConnectionClosureCounts
    private var context: ChannelHandlerContext?
    private var link: EventListenerLink?
    private var initTimer: Scheduled<Void>?
    private var isClosing = false
    private var isWritable = true

    init(server: EventServer, closures: ConnectionClosureCounts) {
        self.server = server
        self.closures = closures
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let link = EventListenerLink(channel: context.channel, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        guard server.connect(link) else {
            close(code: .unknown(1013))  // try again later: this instance has maxListeners
            return
        }
        self.link = link
        initTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .init(server.settings.initTimeout)) {
            self.initTimer = nil
            self.fail(.webSocketInitTimeout, code: .policyViolation)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        forget()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        forget()
        context.fireChannelInactive()
    }

    private func forget() {
        initTimer?.cancel()
        initTimer = nil
        if let link {
            self.link = nil
            server.disconnect(link)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !isClosing, let link else { return }
        switch frame.opcode {
        case .text, .binary:
            guard frame.length <= server.settings.maxMessageBytes else {
                fail(.webSocketMessageTooLarge, code: .messageTooLarge)
                return
            }
            let payload = frame.unmaskedData
            let text: String
            if frame.opcode == .text {
                guard let valid = String(validating: payload.readableBytesView, as: UTF8.self) else {
                    fail(.webSocketInvalidText, code: .dataInconsistentWithMessage)
                    return
                }
                text = valid
            } else {
                text = String(decoding: payload.readableBytesView, as: UTF8.self)  // as Node reads a Buffer
            }
            switch server.initialize(link, message: text) {
            case .success(let code):
                if code == .ok {
                    initTimer?.cancel()
                    initTimer = nil
                }
                write(ByteBuffer(string: code.initReply))
            case .failure(let refusal):
                if let code = refusal.code {
                    write(ByteBuffer(string: code.initReply))
                } else {
                    fail(.webSocketProtocolError, code: .policyViolation)
                }
            }
        case .ping:
            guard isWritable else {
                abandonSlowConsumer()
                return
            }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            close(code: .normalClosure)
        default:
            break
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    /// Frame errors from the decoder, ``WebSocketFrameValidator`` and the aggregator close with the code RFC 6455
    /// names; anything else (a read error) just closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch WebSocketInputError(error) {
        case .messageTooLarge: fail(.webSocketMessageTooLarge, code: .messageTooLarge)
        case .protocolViolation: fail(.webSocketProtocolError, code: .protocolError)
        case .other: context.close(promise: nil)
        }
    }

    /// Writes one text message; a listener already over its outbound bound is closed instead.
    func write(_ message: ByteBuffer) {
        guard let context, !isClosing else { return }
        guard isWritable, context.channel.isWritable else {
            abandonSlowConsumer()
            return
        }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: message)), promise: nil)
    }

    private func fail(_ closure: ConnectionClosure, code: WebSocketErrorCode) {
        guard !isClosing, context != nil else { return }
        closures.record(closure)
        close(code: code)
    }

    /// Closes a listener that does not read: the close frame is sent if it fits, the channel closed at once.
    private func abandonSlowConsumer() {
        guard let context, !isClosing else { return }
        isClosing = true
        closures.record(.slowConsumer)
        WebSocketClosing.abandon(context)
    }

    /// Sends a close frame with `code`, then closes the channel.
    func close(code: WebSocketErrorCode) {
        guard let context, !isClosing else { return }
        isClosing = true
        WebSocketClosing.close(context, code: code)
    }
}

@available(*, unavailable)
extension EventListenerHandler: Sendable {}

/// The event server's handle on one listener: calls arrive on the listener's loop (``EventListener``).
final class EventListenerLink: EventListener {
    let channel: any Channel
    private let handler: NIOLoopBound<EventListenerHandler>

    init(channel: any Channel, handler: NIOLoopBound<EventListenerHandler>) {
        self.channel = channel
        self.handler = handler
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    func receive(_ message: ByteBuffer) {
        handler.value.write(message)
    }

    func close(goingAway: Bool) {
        handler.value.close(code: goingAway ? .goingAway : .normalClosure)
    }
}
