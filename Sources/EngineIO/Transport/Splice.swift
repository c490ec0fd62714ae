import NIOCore
import NIOWebSocket

/// One end of a byte-for-byte splice between two channels on one event loop: the client's upgraded connection and
/// the connection to the instance that holds its session (the pattern of SwiftNIO's connect-proxy example).
///
/// What one end reads is written to the other; a read is flushed at the end of each read burst. Backpressure both
/// ways: an end reads again only while its partner's channel is writable, and resumes when it becomes writable.
/// When either side closes, the other is closed too.
final class Splice: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: Splice?
    private var context: ChannelHandlerContext?
    private var readWaitsForPartner = false

    private init() {}

    /// Two ends, each the other's partner: add one to each channel's pipeline.
    static func matchedPair() -> (Splice, Splice) {
        let first = Splice()
        let second = Splice()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    /// Joins the client's upgraded connection to the owner's tunnel, handing over the bytes the owner already sent.
    static func join(client pipeline: ChannelPipeline.SynchronousOperations, tunnel: OpenedTunnel) throws {
        let (clientEnd, ownerEnd) = matchedPair()
        // Before the frame encoder and decoder the upgrade added (they cannot be removed): the client's bytes reach
        // the splice undecoded, and what it writes passes no WebSocket handler.
        let encoder = try pipeline.handler(type: WebSocketFrameEncoder.self)
        try pipeline.addHandler(clientEnd, position: .before(encoder))
        let owner = tunnel.channel.pipeline.syncOperations
        let reader = try owner.handler(type: UpgradeAnswerReader.self)
        let held = reader.takeHeldBytes()
        owner.removeHandler(reader, promise: nil)
        try owner.addHandler(ownerEnd)
        if held.readableBytes > 0 {
            clientEnd.partnerWrite(held)
            clientEnd.partnerFlush()
        }
        tunnel.channel.setOption(.autoRead, value: true).whenComplete { _ in }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.partnerWrite(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClose()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerIsWritable ?? false {
            context.read()
        } else {
            readWaitsForPartner = true
        }
    }

    private func partnerWrite(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerClose() {
        context?.close(promise: nil)
    }

    private var partnerIsWritable: Bool {
        context?.channel.isWritable ?? false
    }

    private func partnerBecameWritable() {
        guard readWaitsForPartner else { return }
        readWaitsForPartner = false
        context?.read()
    }
}
