import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// What an instance answered to a forwarded polling request.
struct ForwardedAnswer: Sendable {
    let head: HTTPResponseHead
    let body: ByteBuffer
}

/// Why a forwarded request got no answer.
enum ForwardFailure: Error, Equatable {
    /// The owner could not be reached, or closed the connection before answering (it died, or shut down).
    case unreachable
    /// The owner did not answer within the forward's time limit.
    case timedOut
    /// The owner's answer was larger than a polling answer may be.
    case answerTooLarge
}

/// One request/response exchange on a fresh connection to another instance: writes the request once the channel is
/// active, gathers the answer (bounded), and completes `promise` with it or with why there is none.
final class ForwardedExchange: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Never
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let body: ByteBuffer
    private let maxAnswerBytes: Int
    private let promise: EventLoopPromise<ForwardedAnswer>
    private var answerHead: HTTPResponseHead?
    private var answerBody: ByteBuffer?
    private var finished = false

    init(head: HTTPRequestHead, body: ByteBuffer, maxAnswerBytes: Int, promise: EventLoopPromise<ForwardedAnswer>) {
        self.head = head
        self.body = body
        self.maxAnswerBytes = maxAnswerBytes
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            answerHead = head
            answerBody = context.channel.allocator.buffer(capacity: 0)
        case .body(var part):
            guard (answerBody?.readableBytes ?? 0) + part.readableBytes <= maxAnswerBytes else {
                finish(.failure(ForwardFailure.answerTooLarge))
                context.close(promise: nil)
                return
            }
            answerBody?.writeBuffer(&part)
        case .end:
            if let answerHead {
                finish(.success(ForwardedAnswer(head: answerHead, body: answerBody ?? ByteBuffer())))
            }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ForwardFailure.unreachable))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(ForwardFailure.unreachable))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<ForwardedAnswer, any Error>) {
        guard !finished else { return }
        finished = true
        promise.completeWith(result)
    }
}
