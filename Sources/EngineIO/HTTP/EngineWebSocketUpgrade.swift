import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The WebSocket upgrade of one connection: which ``WebSocketEndpoint`` takes the request, its decision (or which
/// refusal), and the handlers the upgraded connection runs.
///
/// Used for the first request of a connection (through SwiftNIO's typed upgrader) and for any later request of a
/// keep-alive connection (through ``HTTPConnectionGuard``), so both paths route, refuse and upgrade alike.
struct EngineWebSocketUpgrade: Sendable {
    /// Timeouts and closure counts of the connection come from the Engine.IO server.
    let server: EngineServer
    let endpoints: [any WebSocketEndpoint]
    let remoteAddress: String?
    /// Why the last upgrade attempt of this connection was refused.
    let refusal: NIOLoopBoundBox<EngineRefusal?>
    /// The owner's connection when the upgrade is for another instance's session, spliced in after the 101.
    let tunnel: NIOLoopBoundBox<OpenedTunnel?>

    init(server: EngineServer, endpoints: [any WebSocketEndpoint], remoteAddress: String?, eventLoop: any EventLoop) {
        self.server = server
        self.endpoints = endpoints
        self.remoteAddress = remoteAddress
        self.refusal = NIOLoopBoundBox(nil, eventLoop: eventLoop)
        self.tunnel = NIOLoopBoundBox(nil, eventLoop: eventLoop)
    }

    /// The largest frame the decoder reads: the largest any endpoint accepts (each bounds its messages itself).
    var maxFrameSize: Int {
        endpoints.map(\.maxFrameSize).max() ?? 1 << 16
    }

    /// The endpoint of `head`'s path, if any takes it.
    private func endpoint(for head: HTTPRequestHead) -> (any WebSocketEndpoint)? {
        let path = head.uri.prefix { $0 != "?" }
        return endpoints.first { $0.handles(path: path) }
    }

    /// Headers to add to the 101 answer, or nil (with ``refusal`` set) when the upgrade is refused.
    func shouldUpgrade(channel: any Channel, head: HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> {
        guard let endpoint = endpoint(for: head) else {
            refusal.value = EngineRefusal(status: .notFound, body: #"{"message":"Not found"}"#)
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        switch server.foreignUpgrade(head: head, remoteAddress: remoteAddress, channel: channel) {
        case .refuse(let refused):
            refusal.value = refused
            return channel.eventLoop.makeSucceededFuture(nil)
        case .forward(let opening):
            let refusal = self.refusal
            let tunnel = self.tunnel
            return opening.hop(to: channel.eventLoop).map { opened in
                guard let opened else {
                    refusal.value = EngineRefusal(.unknownSessionID)
                    return nil
                }
                tunnel.value = opened
                // A client that goes before the splice is in place leaves no owner connection behind.
                channel.closeFuture.whenComplete { _ in opened.channel.close(promise: nil) }
                return opened.responseHeaders
            }
        case nil:
            break
        }
        switch endpoint.decide(head: head, remoteAddress: remoteAddress) {
        case .accept(let headers):
            return channel.eventLoop.makeSucceededFuture(headers)
        case .refuse(let refused):
            refusal.value = refused
            return channel.eventLoop.makeSucceededFuture(nil)
        }
    }

    /// The refusal of the last attempt; a request that is no valid WebSocket handshake at all is a bad request.
    func takeRefusal() -> EngineRefusal {
        let refused = refusal.value ?? EngineRefusal(.badRequest)
        refusal.value = nil
        return refused
    }

    /// Adds the handlers of the endpoint that accepted `head` after the frame decoder.
    func addTransportHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations,
        head: HTTPRequestHead,
        position: ChannelPipeline.SynchronousOperations.Position
    ) throws {
        if let opened = tunnel.value {
            tunnel.value = nil
            try Splice.join(client: pipeline, tunnel: opened)
            return
        }
        guard let endpoint = endpoint(for: head) else { throw EngineError.badRequest }
        try endpoint.addHandlers(to: pipeline, head: head, remoteAddress: remoteAddress, position: position)
    }
}
