import EngineIO
import Foundation
import HTTPTypes
import Herald
import NIOCore
import NIOWebSocket
import SocketIO

/// One plain WebSocket JSON connection (`/ws/<site>`): admits its client to the site's namespace as a ``Socket``
/// speaking through a ``PlainWebSocketWire``, reads the client's messages (credentials, acks, pings) and writes
/// what the socket sends. Sits after ``WebSocketFrameValidator`` and the frame aggregator.
///
/// A connection without a `token` query parameter must send `{"type":"auth"}` within the connect timeout. Anything
/// the server refuses is told in `{"type":"error","code","message"}` and the connection closed with the matching
/// 4xxx code (``PlainCloseReason``). The server pings every `pingInterval`; a client that answers nothing (no pong,
/// no message) until the next ping is closed, as is one that stops reading once its outbound buffer is full.
final class PlainWebSocketHandler: ChannelInboundHandler, RemovableChannelHandler, CoalescedFlushTarget {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Where the connection is in its life.
    private enum Phase {
        /// Waiting for `{"type":"auth"}`, until the timer strikes.
        case awaitingCredentials(Scheduled<Void>)
        /// The site's namespace is deciding (its middleware asks `authUrl`).
        case admitting
        /// Admitted: the socket speaks through this connection.
        case connected(Socket)
        /// The connection is ending; nothing more is read or written.
        case closing
    }

    /// What a connection needs from the server, fixed when it is upgraded.
    struct Request {
        let siteName: String
        let query: [String: String]
        let headers: HTTPFields
        let remoteAddress: String?
        let url: String
    }

    private let service: HeraldService
    private let request: Request
    private let limits: PlainWebSocketLimits
    private let closures: ConnectionClosureCounts
    private var context: ChannelHandlerContext?
    /// Where broadcast frames, encoded once for every recipient, enter the pipeline, and how every write is flushed.
    private var encodedFrames: EncodedFrameOutput
    private var wire: PlainWebSocketWire?
    private var ledger: PlainAckLedger?
    private var phase = Phase.admitting
    private var heartbeat: Scheduled<Void>?
    private var heardSinceLastPing = true
    private var isWritable = true
    /// The client's permessage-deflate agreement, if it offered one and its site turns compression on.
    let deflate: PerMessageDeflate?

    init(
        service: HeraldService,
        request: Request,
        limits: PlainWebSocketLimits,
        closures: ConnectionClosureCounts,
        coalescer: FlushCoalescer,
        deflate: PerMessageDeflate? = nil
    ) {
        self.deflate = deflate
        self.encodedFrames = EncodedFrameOutput(coalescer: coalescer)
        self.service = service
        self.request = request
        self.limits = limits
        self.closures = closures
    }

    /// Whether the connection is still open for the socket.
    var isOpen: Bool {
        if case .closing = phase { return false }
        return context != nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        encodedFrames.attach(to: context)
        let loop = context.eventLoop
        wire = PlainWebSocketWire(channel: context.channel, handler: NIOLoopBound(self, eventLoop: loop))
        ledger = PlainAckLedger(eventLoop: loop)
        scheduleBeat()
        guard service.sites.site(named: request.siteName) != nil else {
            fail(.unknownSite, message: "No site named \(request.siteName.prefix(64))")
            return
        }
        if let token = request.query["token"], !token.isEmpty {
            admit(query: request.query)
        } else {
            let timer = loop.assumeIsolated().scheduleTask(in: limits.credentialsTimeout) { [self] in
                fail(.authenticationTimeout, message: "No credentials: send {\"type\":\"auth\",\"token\":…} first")
            }
            phase = .awaitingCredentials(timer)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ended()
        self.context = nil
        encodedFrames.detach()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended()
        context.fireChannelInactive()
    }

    /// The connection is gone or going: the socket leaves its namespace and nothing more is written; unacknowledged
    /// messages stay queued. Runs once; later calls find the phase closing.
    private func ended() {
        heartbeat?.cancel()
        heartbeat = nil
        let previous = phase
        phase = .closing
        switch previous {
        case .awaitingCredentials(let timer):
            timer.cancel()
        case .connected(let socket):
            socket.connectionEnded(.transportClose)
        case .admitting, .closing:
            break
        }
        ledger?.failAll()
    }

    // MARK: Admission

    private func admit(query: [String: String]) {
        guard let namespace = service.io.namespace(named: "/" + request.siteName), let wire else {
            fail(.unknownSite, message: "No site named \(request.siteName.prefix(64))")
            return
        }
        phase = .admitting
        let handshake = SocketHandshake(
            query: query,
            headers: request.headers,
            address: request.remoteAddress,
            url: request.url,
            issued: Int64(Date().timeIntervalSince1970 * 1000)
        )
        let handler = NIOLoopBound(self, eventLoop: wire.eventLoop)
        namespace.connect(handshake, over: wire) { result in
            handler.value.admitted(result)
        }
    }

    private func admitted(_ result: Result<Socket, ConnectError>) {
        switch result {
        case .success(let socket):
            phase = .connected(socket)
        case .failure(let error) where error == Namespace.closedDuringAdmission:
            break
        case .failure(let error):
            let reason = RefusalCode(error).map(PlainCloseReason.init) ?? .unauthorized
            fail(reason, message: error.message)
        }
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if case .closing = phase { return }
        heardSinceLastPing = true
        switch frame.opcode {
        case .text:
            guard frame.length <= limits.maxMessageBytes else {
                closures.record(.webSocketMessageTooLarge)
                fail(.messageTooLarge, message: "A message is at most \(limits.maxMessageBytes) bytes")
                return
            }
            guard let text = String(validating: frame.unmaskedData.readableBytesView, as: UTF8.self) else {
                closures.record(.webSocketInvalidText)
                close(code: .dataInconsistentWithMessage)
                return
            }
            receive(text)
        case .binary:
            fail(.invalidMessage, message: "Messages are JSON text frames")
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

    private func receive(_ text: String) {
        let message: PlainClientMessage
        do {
            message = try PlainClientMessage.parse(text, maxIDs: limits.maxIDsPerAck)
        } catch {
            fail(.invalidMessage, message: error.description)
            return
        }
        switch (message, phase) {
        case (.authenticate(let token, let deviceID), .awaitingCredentials(let timer)):
            timer.cancel()
            var query = request.query
            query["token"] = token
            if let deviceID {
                query["deviceId"] = deviceID
            }
            admit(query: query)
        case (.authenticate, _):
            fail(.invalidMessage, message: "\"auth\" is only the first message of a connection without a token")
        case (.acknowledge(let ids), .connected):
            ledger?.acknowledge(ids)
        case (.acknowledge, _):
            break  // nothing was sent that could be acknowledged yet
        case (.ping, _):
            send(.pong)
        case (.request(let event, let fields, let ref), .connected(let socket)):
            socket.receive(.event(namespace: socket.namespace.name, ackID: ref, name: event, arguments: [fields]))
        case (.reply(let ref, let data), .connected(let socket)):
            socket.receive(.ack(namespace: socket.namespace.name, ackID: ref, arguments: [data]))
        case (.request, _), (.reply, _):
            fail(.invalidMessage, message: "requests and replies come after \"settings\"")
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
        case .messageTooLarge:
            closures.record(.webSocketMessageTooLarge)
            fail(.messageTooLarge, message: "A message is at most \(limits.maxMessageBytes) bytes")
        case .protocolViolation:
            closures.record(.webSocketProtocolError)
            close(code: .protocolError)
        case .other:
            context.close(promise: nil)
        }
    }

    // MARK: Writing

    /// Renders one of the socket's packets: Herald's settings and resync events as their own message types, other
    /// events as `event` messages; acks and connection packets have no plain form. (Batches and the resyncs of a
    /// device's queue come through ``PlainReliableDelivery``.)
    func send(_ packet: SocketPacket) {
        switch packet {
        case .event(_, let ref?, let name, let arguments):
            send(.call(name: HeraldEvent.clientName(of: name), arguments: arguments, ref: ref))
        case .ack(_, let ref, let arguments):
            send(.reply(ref: ref, data: arguments.first ?? .null))
        case .event(_, nil, let name, let arguments):
            send(Self.message(event: name, arguments: arguments))
        case .connect, .disconnect, .connectError:
            break
        }
    }

    /// An event without an ack request as its plain message: Herald's own under their plain names.
    private static func message(event name: String, arguments: [JSONValue]) -> PlainServerMessage {
        switch HeraldEvent(rawValue: name) {
        case .settings?: .settings(arguments.first?.objectValue ?? [:])
        case .resync?: .resync(event: arguments.first?.stringValue)
        case .batch?, .expired?, .join?, .leave?, nil: .event(name: HeraldEvent.clientName(of: name), arguments: arguments, id: nil)
        }
    }

    func send(_ message: PlainServerMessage) {
        write(ByteBuffer(string: message.text))
    }

    /// Sends `message` and waits for the client to acknowledge `ids`; `acknowledged` runs once either way.
    func send(
        _ message: PlainServerMessage,
        awaiting ids: [FlakeID],
        timeout: TimeAmount,
        acknowledged: @escaping @Sendable (Bool) -> Void
    ) {
        guard case .connected = phase, let ledger else {
            acknowledged(false)
            return
        }
        ledger.expect(ids, timeout: timeout, completion: acknowledged)
        send(message)
    }

    /// Writes one text message, flushed with the others of this loop turn; a client already over its outbound bound
    /// is closed instead.
    func write(_ text: ByteBuffer) {
        guard let context, isOpen else { return }
        guard isWritable, context.channel.isWritable else {
            abandonSlowConsumer()
            return
        }
        let compressed = compressed(text)
        context.write(
            wrapOutboundOut(WebSocketFrame(fin: true, rsv1: compressed != nil, opcode: .text, data: compressed ?? text)),
            promise: nil
        )
        encodedFrames.flushSoon(self)
    }

    /// `text` compressed for this client alone, when it agreed to permessage-deflate, its socket's site compresses
    /// and the message reaches the threshold; nil otherwise.
    private func compressed(_ text: ByteBuffer) -> ByteBuffer? {
        guard let deflate, case .connected(let socket) = phase, let compression = socket.messageCompression,
            text.readableBytes >= compression.threshold
        else { return nil }
        return MessageDeflater.deflate(
            text,
            windowBits: deflate.serverMaxWindowBits,
            allocator: context?.channel.allocator ?? ByteBufferAllocator(),
            counting: deflateCounters
        )
    }

    /// Where this connection's compressions are counted.
    var deflateCounters: PerMessageDeflateCounters { service.engine.deflateCounters }

    /// Writes a complete encoded frame shared with a broadcast's other recipients (see ``WebSocketFrameBytes``) and
    /// leaves the flush to the loop's coalescer, so many broadcasts in one loop turn leave in one system call; a
    /// client already over its outbound bound is closed instead.
    func writeCoalesced(encodedFrame: ByteBuffer) {
        guard encodedFrames.isAttached, isOpen else { return }
        guard isWritable else {
            abandonSlowConsumer()
            return
        }
        encodedFrames.write(encodedFrame, flushing: self)
    }

    /// Flushes every write since the last flush (those through SwiftNIO's encoder too); called by the coalescer.
    func flushCoalescedWrites() {
        encodedFrames.flush()
    }

    // MARK: Ending

    private func scheduleBeat() {
        heartbeat = context?.eventLoop.assumeIsolated().scheduleTask(in: limits.pingInterval) { [self] in beat() }
    }

    /// A ping every interval; a client that sent nothing since the previous one is gone.
    private func beat() {
        guard let context, isOpen else { return }
        scheduleBeat()
        guard heardSinceLastPing else {
            closures.record(.idleTimeout)
            ended()
            WebSocketClosing.abandon(context, code: .goingAway)
            return
        }
        heardSinceLastPing = false
        guard isWritable else {
            abandonSlowConsumer()
            return
        }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())), promise: nil)
    }

    /// Tells the client why in an error message, then closes with the reason's code.
    func fail(_ reason: PlainCloseReason, message: String) {
        guard isOpen else { return }
        send(.error(reason, message: message))
        close(code: .unknown(reason.closeCode))
    }

    /// Closes a client that does not read: the close frame is sent if it fits, the channel closed at once.
    private func abandonSlowConsumer() {
        guard let context, isOpen else { return }
        closures.record(.slowConsumer)
        ended()
        WebSocketClosing.abandon(context)
    }

    /// Sends a close frame with `code`, then closes the channel.
    func close(code: WebSocketErrorCode) {
        guard let context, isOpen else { return }
        ended()
        WebSocketClosing.close(context, code: code)
    }
}

@available(*, unavailable)
extension PlainWebSocketHandler: Sendable {}
