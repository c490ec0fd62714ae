import CHiredis
package import NIOCore

/// Turns the bytes Redis sends into ``RedisValue``s with hiredis' `redisReader`.
///
/// Ownership: the reader is C state that is not thread-safe. It is created in `handlerAdded` and freed in
/// `handlerRemoved`, and between the two it is touched only by this handler, which (like every channel handler)
/// runs on its channel's event loop. The handler is therefore deliberately not `Sendable`.
///
/// A protocol error leaves the reader unusable and the byte stream unsynchronised, so the handler reports
/// ``RedisError/protocolError(_:)`` and closes the connection; the connection's owner reconnects.
package final class RedisReplyDecoder: ChannelInboundHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = RedisValue

    private var reader: UnsafeMutablePointer<redisReader>?

    package init() {}

    package func handlerAdded(context: ChannelHandlerContext) {
        reader = herald_bounded_reader_create()
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        if let reader {
            redisReaderFree(reader)
        }
        reader = nil
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let reader else {
            return
        }
        let bytes = unwrapInboundIn(data)
        let fed = bytes.withUnsafeReadableBytes { raw in
            redisReaderFeed(reader, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard fed == REDIS_OK else {
            fail(context: context, reader: reader)
            return
        }
        while self.reader != nil {
            var reply: UnsafeMutableRawPointer? = nil
            guard redisReaderGetReply(reader, &reply) == REDIS_OK else {
                fail(context: context, reader: reader)
                return
            }
            guard let reply else {
                return
            }
            let value = RedisValue(reply: reply.assumingMemoryBound(to: redisReply.self))
            freeReplyObject(reply)
            context.fireChannelRead(wrapInboundOut(value))
        }
    }

    private func fail(context: ChannelHandlerContext, reader: UnsafeMutablePointer<redisReader>) {
        var message = reader.pointee.errstr
        let text = withUnsafeBytes(of: &message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        context.fireErrorCaught(RedisError.protocolError(text.isEmpty ? "unreadable reply" : text))
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension RedisReplyDecoder: Sendable {}
