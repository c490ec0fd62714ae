import NIOCore

/// One Server-Sent Events bench client's whole byte stream: `GET /sse/<site>` with `Accept: text/event-stream`, the
/// response head (200 or a refusal), the body (chunked or not) read as an event stream, joined at the `settings`
/// event, every bench event counted like a Socket.IO one. Herald acknowledges an event stream's messages by the
/// `Last-Event-ID` of a reconnection, which the bench never makes, so nothing is sent after the request.
final class EventStreamClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where the connection is.
    private enum Phase {
        case requesting
        case streaming
        case joined
        case closing
    }

    private let identity: ClientIdentity
    private let recorder: LoopRecorder
    private var join: JoinSignal
    private var phase = Phase.requesting
    private var head: ByteBuffer?
    private var chunked: ChunkedBodyDecoder?
    private var parser = EventStreamParser()

    /// Creates the handler; `join` completes when the server admits the client or setup fails.
    init(identity: ClientIdentity, recorder: LoopRecorder, join: JoinSignal) {
        self.identity = identity
        self.recorder = recorder
        self.join = join
    }

    func channelActive(context: ChannelHandlerContext) {
        join.start(context)
        let request = context.channel.allocator.buffer(string: identity.eventStreamRequest)
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
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
        if case .requesting = phase {
            guard readHead(&bytes, context: context) else { return }
        }
        var body: ByteBuffer
        if chunked != nil {
            body = context.channel.allocator.buffer(capacity: bytes.readableBytes)
            do {
                try chunked?.decode(&bytes, into: &body)
            } catch {
                join.fail(JoinFailure.connect("malformed chunked encoding"))
                close(context)
                return
            }
        } else {
            body = bytes
        }
        parser.append(&body)
        while let event = parser.next() {
            handle(event, context: context)
            if case .closing = phase { return }
        }
        if chunked?.isFinished == true { close(context) }
    }

    /// Consumes the response head; false while it is incomplete or when it refused the stream.
    private func readHead(_ bytes: inout ByteBuffer, context: ChannelHandlerContext) -> Bool {
        if var pending = head {
            pending.writeBuffer(&bytes)
            bytes = pending
            head = nil
        }
        guard let response = ResponseHead.read(from: &bytes) else {
            head = bytes
            return false
        }
        let contentType = response.field("content-type") ?? ""
        guard response.status == 200, contentType.hasPrefix("text/event-stream") else {
            join.fail(JoinFailure.response(response.statusLine + (response.status == 200 ? ", \(contentType)" : "")))
            close(context)
            return false
        }
        if response.field("transfer-encoding")?.lowercased().contains("chunked") == true {
            chunked = ChunkedBodyDecoder()
        }
        phase = .streaming
        return true
    }

    private func handle(_ event: ServerSentEvent, context: ChannelHandlerContext) {
        if event.type == identity.event {
            let stamps = event.data.withUnsafeBytes { Stamp.scan($0, from: 0) }
            recorder.record(
                client: identity.index,
                stamps: stamps,
                batch: false,
                reconnected: identity.reconnected,
                nowMicros: WallClock.microseconds()
            )
        } else if event.type == "settings", case .streaming = phase {
            phase = .joined
            join.succeed()
        }
    }

    /// Closes the connection when the stream ended or broke: a joined client counts as dropped.
    private func close(_ context: ChannelHandlerContext) {
        if case .joined = phase { recorder.recordDrop() }
        phase = .closing
        context.close(promise: nil)
    }
}
