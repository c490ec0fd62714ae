import NIOCore
import NIOHTTP1
import NIOPosix

/// A keep-alive HTTP connection to the server's `POST /send`, one request in flight at a time; the fan-out
/// scenario opens `--concurrency` of them.
struct SendClient: Sendable {
    private let channel: any Channel
    private let head: HTTPRequestHead

    /// Connects to `target` and prepares the request line for `site`, authenticated with `apiKey` both as the
    /// `apiKey` query parameter (the Node service's contract) and as a Bearer token.
    static func connect(to target: ServerTarget, on loop: any EventLoop, site: String, apiKey: String) async throws -> SendClient {
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(SendClientHandler())
                }
            }
            .connect(host: target.host, port: target.port)
            .get()
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(target.host):\(target.port)")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        let uri = "/send?site=\(percentEncoded(site))&apiKey=\(percentEncoded(apiKey))"
        return SendClient(channel: channel, head: HTTPRequestHead(version: .http1_1, method: .POST, uri: uri, headers: headers))
    }

    /// Posts `body` and returns the response status.
    func post(_ body: ByteBuffer) async throws -> UInt {
        var head = head
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        let status = channel.eventLoop.makePromise(of: UInt.self)
        channel.writeAndFlush(SendRequest(head: head, body: body, status: status)).whenFailure { status.fail($0) }
        return try await status.futureResult.get()
    }

    /// Closes the connection.
    func close() async {
        try? await channel.close()
    }
}

extension SendClient {
    /// `count` (at least one) `/send` connections, the i-th to `targets[i mod n]`, so a cluster's instances share
    /// the posting.
    static func connect(
        count: Int,
        to targets: [ServerTarget],
        on group: any EventLoopGroup,
        site: String,
        apiKey: String
    ) async throws -> [SendClient] {
        var senders: [SendClient] = []
        for index in 0..<max(1, count) {
            let target = targets[index % targets.count]
            senders.append(try await SendClient.connect(to: target, on: group.next(), site: site, apiKey: apiKey))
        }
        return senders
    }
}
