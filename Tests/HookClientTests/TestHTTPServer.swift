import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server on 127.0.0.1 that plays the hook site, its behaviour chosen by the request path:
///
/// - `/echo…`: 200 with the request as JSON (``EchoedRequest``)
/// - `/status/N`: status N, body `status N`
/// - `/hang`: never answers
/// - `/slow/MS`: 200 `slow` after MS milliseconds
/// - `/bytes/N`: N bytes with a Content-Length
/// - `/chunked/N`: N bytes chunked, so the client learns the size only while reading
final class TestHTTPServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let accepted: NIOLockedValueBox<Int>
    /// The port the server listens on.
    let port: Int

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, accepted: NIOLockedValueBox<Int>) {
        self.group = group
        self.channel = channel
        self.accepted = accepted
        self.port = channel.localAddress?.port ?? 0
    }

    /// Starts a server on an ephemeral port.
    static func start() async throws -> TestHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = NIOLockedValueBox(0)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    accepted.withLockedValue { $0 += 1 }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(TestHTTPHandler())
                    }
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
            return TestHTTPServer(group: group, channel: channel, accepted: accepted)
        } catch {
            try await group.shutdownGracefully()
            throw error
        }
    }

    /// How many TCP connections the server has accepted so far.
    var acceptedConnections: Int { accepted.withLockedValue { $0 } }

    /// An absolute URL on this server.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Closes the listener and every connection, hanging ones included.
    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    /// A port on 127.0.0.1 that nothing listens on: bound by a server that was stopped at once.
    static func closedPort() async throws -> Int {
        let server = try await start()
        let port = server.port
        try await server.stop()
        return port
    }
}

/// What `/echo` reports about the request it received.
struct EchoedRequest: Codable, Equatable {
    var method: String
    var path: String
    var headers: [[String]]
    var body: String

    /// The values of header `name`, compared case-insensitively as HTTP does.
    func values(of name: String) -> [String] {
        headers.filter { $0.first?.lowercased() == name.lowercased() }.map { $0.count > 1 ? $0[1] : "" }
    }
}

private final class TestHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let parts = head.uri.split(separator: "/", omittingEmptySubsequences: true)
        let argument = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        switch parts.first.map(String.init) ?? "" {
        case "hang":
            return
        case "status":
            write(status: argument, body: Array("status \(argument)".utf8), context: context)
        case "slow":
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(argument))) {
                let (handler, context) = bound.value
                handler.write(status: 200, body: Array("slow".utf8), context: context)
            }
        case "bytes":
            write(status: 200, body: Array(repeating: UInt8(ascii: "x"), count: argument), context: context)
        case "chunked":
            writeChunked(byteCount: argument, context: context)
        default:
            let echoed = EchoedRequest(
                method: head.method.rawValue,
                path: head.uri,
                headers: head.headers.map { [$0.name, $0.value] },
                body: body.readableBytesView.isEmpty ? "" : String(decoding: body.readableBytesView, as: UTF8.self)
            )
            let json = (try? JSONEncoder().encode(echoed)).map(Array.init) ?? []
            write(status: 200, body: json, context: context)
        }
    }

    private func write(status: Int, body: [UInt8], context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "\(body.count)")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func writeChunked(byteCount: Int, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        var remaining = byteCount
        while remaining > 0 {
            let size = min(remaining, 4096)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "y"), count: size)))), promise: nil)
            remaining -= size
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
