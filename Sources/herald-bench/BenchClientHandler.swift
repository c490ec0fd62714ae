import NIOCore

/// One bench client's whole byte stream: the HTTP upgrade, the WebSocket frames, the Engine.IO handshake and
/// heartbeat, the Socket.IO namespace CONNECT, acks, and the accounting of every bench event received.
final class BenchClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where the connection is in its setup.
    private enum Phase {
        case upgrading
        case awaitingOpen
        case awaitingConnect
        case joined
        case finished
    }

    private let identity: ClientIdentity
    private let recorder: LoopRecorder
    private let joined: EventLoopPromise<Void>
    private let joinTimeout: TimeAmount
    private var phase = Phase.upgrading
    private var inbound: ByteBuffer?
    private var fragments: ByteBuffer?
    private var timeoutTask: Scheduled<Void>?

    /// Creates the handler; `joined` completes when the namespace accepts the client or setup fails.
    init(identity: ClientIdentity, recorder: LoopRecorder, joined: EventLoopPromise<Void>, joinTimeout: TimeAmount) {
        self.identity = identity
        self.recorder = recorder
        self.joined = joined
        self.joinTimeout = joinTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        let promise = joined
        let channel = context.channel
        timeoutTask = context.eventLoop.scheduleTask(in: joinTimeout) {
            promise.fail(JoinFailure.timeout)
            channel.close(promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: identity.upgradeRequest)), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .joined = phase { recorder.recordDrop() }
        fail(JoinFailure.closed)
        phase = .finished
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(JoinFailure.connect("\(error)"))
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
            guard readUpgradeResponse(from: &bytes, context: context) else { return }
        }
        while let frame = WebSocketWire.readFrame(from: &bytes) {
            handle(frame, context: context)
            if case .finished = phase { return }
        }
        if bytes.readableBytes > 0 {
            bytes.discardReadBytes()
            inbound = bytes
        }
    }

    /// Consumes the HTTP response head; returns false while it is incomplete or when it refused the upgrade.
    private func readUpgradeResponse(from bytes: inout ByteBuffer, context: ChannelHandlerContext) -> Bool {
        let view = bytes.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
            inbound = bytes
            return false
        }
        let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
        bytes.moveReaderIndex(to: end.upperBound)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        guard statusLine.hasPrefix("HTTP/1.1 101") else {
            fail(JoinFailure.upgrade(statusLine))
            phase = .finished
            context.close(promise: nil)
            return false
        }
        phase = .awaitingOpen
        return true
    }

    private func handle(_ frame: WebSocketWire.Frame, context: ChannelHandlerContext) {
        switch frame.opcode {
        case .text, .continuation:
            var message = frame.payload
            if !frame.fin || fragments != nil {
                var collected = fragments ?? context.channel.allocator.buffer(capacity: message.readableBytes)
                collected.writeBuffer(&message)
                guard frame.fin else {
                    fragments = collected
                    return
                }
                fragments = nil
                message = collected
            }
            let packet = message.withUnsafeReadableBytes { InboundPacket($0) }
            handle(packet, context: context)
        case .ping:
            send(.pong, Array(frame.payload.readableBytesView), context: context)
        case .close:
            phase = .finished
            context.close(promise: nil)
        case .binary, .pong, .none:
            break
        }
    }

    private func handle(_ packet: InboundPacket, context: ChannelHandlerContext) {
        switch packet {
        case .open:
            send(.text, Array("40/\(identity.site),".utf8), context: context)
            phase = .awaitingConnect
        case .ping:
            send(.text, [UInt8(ascii: "3")], context: context)
        case .connected:
            phase = .joined
            timeoutTask?.cancel()
            joined.succeed()
        case .connectError(let message):
            fail(JoinFailure.refused(message))
            phase = .finished
            context.close(promise: nil)
        case .disconnected:
            phase = .finished
            context.close(promise: nil)
        case .event(let name, let ackID, let stamps):
            let batch = name == "_batch"
            if name == identity.event || (batch && !stamps.isEmpty) {
                recorder.record(
                    client: identity.index,
                    stamps: stamps,
                    batch: batch,
                    reconnected: identity.reconnected,
                    nowMicros: WallClock.microseconds()
                )
            }
            if let ackID { send(.text, Array("43/\(identity.site),\(ackID)[]".utf8), context: context) }
        case .other:
            break
        }
    }

    private func send(_ opcode: WebSocketWire.Opcode, _ payload: [UInt8], context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: payload.count + 14)
        WebSocketWire.writeFrame(opcode, payload: payload, to: &out)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    private func fail(_ failure: JoinFailure) {
        timeoutTask?.cancel()
        joined.fail(failure)
    }
}
