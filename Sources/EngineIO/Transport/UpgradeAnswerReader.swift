import NIOCore
import NIOHTTP1

/// The owner's answer to a replayed upgrade request: status and header fields.
struct UpgradeAnswer: Sendable {
    let status: Int
    let headers: [(String, String)]
}

/// Writes a replayed upgrade request on the owner connection, reads the answer head (bounded), and then holds the
/// owner's further bytes (its first frames) with reads paused until ``Splice`` takes them.
final class UpgradeAnswerReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// The most bytes an answer head may have.
    private static let maxHeadBytes = 16 * 1024
    private let request: ByteBuffer
    private let answered: EventLoopPromise<UpgradeAnswer>
    private var received = ByteBuffer()
    private var headRead = false

    init(request: ByteBuffer, answered: EventLoopPromise<UpgradeAnswer>) {
        self.request = request
        self.answered = answered
    }

    /// The owner's bytes after its answer head, handed to the client once the splice is in place.
    func takeHeldBytes() -> ByteBuffer {
        defer { received.clear() }
        return received
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(request), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        guard !headRead else { return }
        let view = received.readableBytesView
        guard let end = view.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if received.readableBytes > Self.maxHeadBytes {
                answered.fail(ChannelError.inputClosed)
                context.close(promise: nil)
            }
            return
        }
        headRead = true
        let headLength = end.upperBound - view.startIndex
        let head = received.readString(length: headLength) ?? ""
        // Nothing more is read until the splice is in place and asks for it.
        context.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        answered.succeed(Self.parse(head))
    }

    func channelInactive(context: ChannelHandlerContext) {
        answered.fail(ChannelError.inputClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answered.fail(error)
        context.close(promise: nil)
    }

    private static func parse(_ head: String) -> UpgradeAnswer {
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)
        let statusLine = lines.isEmpty ? "" : lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        let status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }))
        }
        return UpgradeAnswer(status: status, headers: headers)
    }
}
