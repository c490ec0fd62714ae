import NIOCore
import NIOHTTP1
import NIOPosix

/// A stand-in for a site's `authUrl`: answers every request with 200 and a fixed JSON array of rooms, so a
/// connect storm exercises the server's auth hook path without measuring some real backend.
enum AuthStub {
    /// Listens on 127.0.0.1:`port` on `group` and returns the listening channel (close it to stop).
    static func start(port: Int, rooms: [String], group: any EventLoopGroup) async throws -> any Channel {
        try await bootstrap(rooms: rooms, group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port)
            .get()
    }

    /// Serves on `descriptor`, a socket the parent process already bound and listens on, and returns the listening
    /// channel (close it to stop).
    static func start(listeningOn descriptor: Int32, rooms: [String], group: any EventLoopGroup) async throws -> any Channel {
        try await bootstrap(rooms: rooms, group: group).withBoundSocket(descriptor).get()
    }

    private static func bootstrap(rooms: [String], group: any EventLoopGroup) -> ServerBootstrap {
        let body = "[" + rooms.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AuthStubHandler(body: body))
                }
            }
    }
}

/// Answers each request on one connection with the stub's rooms.
private final class AuthStubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let body: String
    private var keepAlive = true

    init(body: String) {
        self.body = body
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
