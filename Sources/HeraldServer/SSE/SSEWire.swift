import Herald
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SocketIO

/// One Server-Sent Events client: a ``Socket`` of its site's namespace that speaks `text/event-stream` over one
/// streamed HTTP answer.
///
/// The wire renders frames on its event loop (the connection's) into one pending buffer; the task that writes the
/// HTTP answer takes the whole buffer each time it wakes, so a burst of messages costs one write, and a broadcast is
/// rendered once for all SSE clients (``PreparedBroadcast/rendering(_:_:)``). The pending bytes plus those being
/// written are bounded by `maxBufferedBytes`: a client that stops reading is dropped (its connection closed), not
/// buffered without bound. A comment goes out every `heartbeat`, so proxies and the client see a live stream.
///
/// Device messages come from a ``DeviceQueueFollower`` (``DeviceQueueWire``): queued ones with `id:`, the others
/// without, so the client's `Last-Event-ID` always names a queued message.
final class SSEWire: DeviceQueueWire {
    private struct State {
        var open = true
        var socketEnded = false
        var pending = ByteBuffer()
        var writing = 0
        var socket: Socket?
        var heartbeat: RepeatedTask?
    }

    let eventLoop: any EventLoop
    let lastReceivedID: FlakeID?
    var transportName: String { ClientTransport.sse.rawValue }
    private let channel: any Channel
    private let maxBufferedBytes: Int
    private let heartbeat: TimeAmount
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let wakeUps = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    init(
        channel: any Channel,
        lastReceivedID: FlakeID?,
        retry: Int,
        heartbeat: TimeAmount,
        maxBufferedBytes: Int,
        logger: Logger
    ) {
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.lastReceivedID = lastReceivedID
        self.heartbeat = heartbeat
        self.maxBufferedBytes = maxBufferedBytes
        self.logger = logger
        state.withLockedValue { state in
            _ = state.pending.writeImmutableBuffer(SSEFrame.retry(milliseconds: retry))
        }
        channel.closeFuture.whenComplete { [self] _ in end(.transportClose) }
    }

    var isOpen: Bool { state.withLockedValue { $0.open } }

    /// The socket was admitted: its stream starts, with heartbeats. Called on ``eventLoop``.
    func started(_ socket: Socket) {
        let heartbeat = self.heartbeat
        let task = eventLoop.scheduleRepeatedTask(initialDelay: heartbeat, delay: heartbeat) { [self] _ in
            write(SSEFrame.comment(" heartbeat"))
        }
        let ended = state.withLockedValue { state in
            state.socket = socket
            state.heartbeat = task
            return state.socketEnded
        }
        if ended {
            task.cancel()
            socket.connectionEnded(.transportClose)
        }
    }

    /// Admission refused the client: nothing is streamed.
    func refused() {
        end(nil)
    }

    /// Writes the stream into the HTTP answer until the wire ends; what is pending then is written first.
    func stream(to writer: inout any ResponseBodyWriter) async throws {
        for await _ in wakeUps.stream {
            try await flush(to: &writer)
        }
        try await flush(to: &writer)
        try await writer.finish(nil)
    }

    private func flush(to writer: inout any ResponseBodyWriter) async throws {
        let chunk = state.withLockedValue { state in
            let chunk = state.pending
            state.pending = ByteBuffer()
            state.writing = chunk.readableBytes
            return chunk
        }
        guard chunk.readableBytes > 0 else { return }
        try await writer.write(chunk)
        state.withLockedValue { $0.writing = 0 }
    }

    private func write(_ frame: ByteBuffer) {
        let over = state.withLockedValue { state -> Bool in
            guard state.open else { return false }
            _ = state.pending.writeImmutableBuffer(frame)
            return state.pending.readableBytes + state.writing > maxBufferedBytes
        }
        wakeUps.continuation.yield()
        if over {
            logger.notice("SSE client dropped: it stopped reading (\(maxBufferedBytes) bytes waiting)")
            channel.close(promise: nil)
        }
    }

    /// Ends the stream once; `reason` disconnects the socket (nil when it never connected or already left).
    private func end(_ reason: DisconnectReason?) {
        let (socket, heartbeat) = state.withLockedValue { state -> (Socket?, RepeatedTask?) in
            state.open = false
            guard !state.socketEnded else { return (nil, nil) }
            state.socketEnded = true
            return (state.socket, state.heartbeat)
        }
        heartbeat?.cancel()
        wakeUps.continuation.finish()
        guard let socket, let reason else { return }
        if eventLoop.inEventLoop {
            socket.connectionEnded(reason)
        } else {
            eventLoop.execute { socket.connectionEnded(reason) }
        }
    }

    // MARK: SocketWire

    func send(_ packet: SocketPacket, of socket: Socket) {
        switch packet {
        case .event(_, _, let name, let arguments):
            write(SSEFrame.event(id: nil, name: HeraldEvent.clientName(of: name), arguments: arguments))
        case .disconnect:
            // EventSource reconnects after any end of stream; this tells the application the server meant it.
            write(SSEFrame.event(id: nil, name: "disconnect", arguments: []))
            end(nil)
        case .connect, .ack, .connectError:
            break
        }
    }

    func deliver(_ broadcast: PreparedBroadcast, to socket: Socket) {
        guard
            let frame = broadcast.rendering(
                ClientTransport.sse.rawValue,
                { event in SSEFrame.event(id: nil, name: HeraldEvent.clientName(of: event.name), arguments: event.arguments) }
            )
        else { return }
        write(frame)
    }

    func socketLeft(_ socket: Socket) {
        end(nil)
    }

    func close() {
        end(.serverShuttingDown)
    }

    // MARK: DeviceQueueWire

    func sendQueued(_ messages: [StoredMessage]) {
        guard messages.count > 1 else {
            if let message = messages.first {
                write(SSEFrame.event(id: message.id, name: message.event, arguments: message.arguments))
            }
            return
        }
        var frames = ByteBuffer()
        for message in messages {
            frames.writeImmutableBuffer(SSEFrame.event(id: message.id, name: message.event, arguments: message.arguments))
        }
        write(frames)
    }

    func sendUnqueued(_ message: StoredMessage) {
        write(SSEFrame.event(id: nil, name: message.event, arguments: message.arguments))
    }

    func sendResync() {
        write(SSEFrame.event(id: nil, name: "resync", arguments: []))
    }

    func endForAcknowledgement() {
        end(.transportClose)
    }
}
