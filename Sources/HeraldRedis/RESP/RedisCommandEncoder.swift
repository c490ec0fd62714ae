import NIOCore

/// Encodes each written batch of commands into one buffer, so a pipeline of many commands becomes one write.
final class RedisCommandEncoder: ChannelOutboundHandler {
    typealias OutboundIn = [RedisCommand]
    typealias OutboundOut = ByteBuffer

    init() {}

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let commands = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: commands.reduce(0) { $0 + $1.estimatedEncodedSize })
        for command in commands {
            command.encode(into: &buffer)
        }
        context.write(wrapOutboundOut(buffer), promise: promise)
    }
}

@available(*, unavailable)
extension RedisCommandEncoder: Sendable {}
