import NIOCore

/// Matches replies to requests in the order the requests were written: Redis answers every connection
/// strictly in order, so many requests can be in flight on one connection (pipelining) with one FIFO queue.
///
/// Ownership: the queue and the timer belong to the channel's event loop, like the handler itself.
///
/// Timeout: one timer watches the oldest request only. Replies come in order, so while the oldest is
/// unanswered no newer one can be answered; when it exceeds `commandTimeout` it fails with
/// ``RedisError/timedOut``, every newer request with ``RedisError/connectionLost(reason:)``, and the connection
/// is closed, because a late reply would otherwise be matched to the wrong request.
///
/// Pub/sub: on a subscriber connection `onPush` receives every value first and keeps the published messages,
/// which no request asked for; everything else is a reply.
final class RedisRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = RedisValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = [RedisCommand]

    private struct Pending {
        var promise: EventLoopPromise<[RedisValue]>
        var expected: Int
        var replies: [RedisValue]
        var deadline: NIODeadline
    }

    private let commandTimeout: TimeAmount
    private let onPush: (@Sendable (RedisValue) -> Bool)?
    private var pending = CircularBuffer<Pending>()
    private var timer: Scheduled<Void>?
    private var isOpen = true

    init(commandTimeout: TimeAmount, onPush: (@Sendable (RedisValue) -> Bool)? = nil) {
        self.commandTimeout = commandTimeout
        self.onPush = onPush
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard isOpen, context.channel.isActive else {
            request.promise.fail(RedisError.unavailable)
            promise?.fail(RedisError.unavailable)
            return
        }
        guard request.expectedReplies > 0 else {
            request.promise.succeed([])
            promise?.succeed()
            return
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(request.expectedReplies)
        pending.append(
            Pending(
                promise: request.promise,
                expected: request.expectedReplies,
                replies: replies,
                deadline: .now() + commandTimeout
            )
        )
        armTimer(context: context)
        let written = context.eventLoop.makePromise(of: Void.self)
        let channel = context.channel
        written.futureResult.whenFailure { _ in channel.close(promise: nil) }
        if let promise {
            written.futureResult.cascade(to: promise)
        }
        context.write(wrapOutboundOut(request.commands), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if let onPush, onPush(value) {
            return
        }
        guard !pending.isEmpty else {
            failAll(RedisError.protocolError("a reply arrived that no command asked for"))
            context.close(promise: nil)
            return
        }
        let head = pending.startIndex
        pending[head].replies.append(value)
        if pending[head].replies.count == pending[head].expected {
            let done = pending.removeFirst()
            done.promise.succeed(done.replies)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionLost(reason: "the connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure = (error as? RedisError) ?? RedisError.connectionLost(reason: String(describing: error))
        failAll(failure)
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(RedisError.connectionLost(reason: "the connection closed"))
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard timer == nil, let oldest = pending.first else {
            return
        }
        let channel = context.channel
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: oldest.deadline) { [self] in
            self.timer = nil
            guard let oldest = self.pending.first else {
                return
            }
            if oldest.deadline <= .now() {
                self.timeOut(channel: channel)
            } else {
                self.armTimer(context: context)
            }
        }
    }

    private func timeOut(channel: any Channel) {
        guard let oldest = pending.popFirst() else {
            return
        }
        isOpen = false
        oldest.promise.fail(RedisError.timedOut)
        failAll(RedisError.connectionLost(reason: "an earlier command timed out"))
        channel.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        isOpen = false
        timer?.cancel()
        timer = nil
        while let request = pending.popFirst() {
            request.promise.fail(error)
        }
    }
}

@available(*, unavailable)
extension RedisRequestHandler: Sendable {}
