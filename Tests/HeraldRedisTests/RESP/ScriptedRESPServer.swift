import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP server on 127.0.0.1 that answers the n-th read of each connection with `answer(n)`, for the
/// misbehaviours a real Redis never shows: bytes that are not RESP, replies nobody asked for.
final class ScriptedRESPServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let accepted: NIOLockedValueBox<Int>
    /// The port the server listens on.
    let port: Int

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, accepted: NIOLockedValueBox<Int>) {
        self.group = group
        self.channel = channel
        self.accepted = accepted
        port = channel.localAddress?.port ?? 0
    }

    /// Starts a server whose connections answer their reads (numbered from 0) with `answer`.
    static func start(answer: @escaping @Sendable (Int) -> String) async throws -> ScriptedRESPServer {
        try await start { read, _ in answer(read) }
    }

    /// Starts a server whose connections answer each read (numbered from 0) with `answer(read, commands)`, given the
    /// names of the commands in it: for servers that play a role rather than a fixed sequence.
    static func start(answeringCommands answer: @escaping @Sendable (Int, [String]) -> String) async throws -> ScriptedRESPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = NIOLockedValueBox(0)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    accepted.withLockedValue { $0 += 1 }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ScriptedAnswerHandler(answer: answer))
                    }
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
            return ScriptedRESPServer(group: group, channel: channel, accepted: accepted)
        } catch {
            try await group.shutdownGracefully()
            throw error
        }
    }

    /// How many connections the server has accepted.
    var acceptedConnections: Int {
        accepted.withLockedValue { $0 }
    }

    /// Closes the listener and every connection.
    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

private final class ScriptedAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answer: @Sendable (Int, [String]) -> String
    private var reads = 0

    init(answer: @escaping @Sendable (Int, [String]) -> String) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let lines = String(buffer: unwrapInboundIn(data)).components(separatedBy: "\r\n")
        let names = lines.indices.filter { lines[$0].hasPrefix("*") && $0 + 2 < lines.count }.map { lines[$0 + 2].uppercased() }
        let text = answer(reads, names)
        reads += 1
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }
}
