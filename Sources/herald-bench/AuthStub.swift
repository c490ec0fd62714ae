import NIOCore
import NIOHTTP1
import NIOPosix

/// A stand-in for a site's `authUrl`: answers every request with 200 and a fixed JSON array of rooms, so a
/// connect storm exercises the server's auth hook path without measuring some real backend.
enum AuthStub {
    /// Listens on 127.0.0.1:`port` on `group` and returns the listening channel (close it to stop).
    static func start(port: Int, rooms: [String], group: any EventLoopGroup) async throws -> any Channel {
        let body = "[" + rooms.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AuthStubHandler(body: body))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
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
