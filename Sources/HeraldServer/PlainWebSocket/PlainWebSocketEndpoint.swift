import EngineIO
import HTTPTypes
import Herald
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Plain WebSocket JSON clients as a ``WebSocketEndpoint``: `GET /ws/<site>` on Herald's port.
///
/// The upgrade is refused only by the instance's connection policy, as Socket.IO handshakes are: a client address
/// the global `allowFrom` / `denyFrom` refuse (403), or no new connections now (its connection rate, 503 with
/// `Retry-After`); everything else — an unknown site, refused credentials — is told
/// over the WebSocket, where a browser client can read it (``PlainCloseReason``).
struct PlainWebSocketEndpoint: WebSocketEndpoint {
    static let pathPrefix = "/ws/"

    let service: HeraldService
    let limits: PlainWebSocketLimits
    let closures: ConnectionClosureCounts

    func handles(path: Substring) -> Bool {
        path.hasPrefix(Self.pathPrefix) && path.count > Self.pathPrefix.count
    }

    /// A frame up to twice the message limit is read in full and then refused with an error message, so the close
    /// frame is not lost to a TCP reset caused by unread input.
    var maxFrameSize: Int {
        limits.maxMessageBytes * 2
    }

    func decide(head: HTTPRequestHead, remoteAddress: String?) -> WebSocketUpgradeDecision {
        let client = service.engine.clientAddress(peer: remoteAddress, headers: HTTPFields(head.headers))
        if let refusal = service.engine.handshakeRefusal(clientAddress: client) {
            return .refuse(refusal)
        }
        var headers = HTTPHeaders()
        if let deflate = deflate(for: head) {
            headers.add(name: "Sec-WebSocket-Extensions", value: deflate.responseHeaderValue)
        }
        return .accept(headers)
    }

    /// The site a request's path names.
    private static func siteName(of head: HTTPRequestHead) -> String {
        let (path, _) = QueryString.split(target: head.uri)
        return QueryString.percentDecode(path.dropFirst(Self.pathPrefix.count))
    }

    /// The permessage-deflate agreement for `head`'s offers: only when the site of the path turns it on (unknown
    /// sites are refused over the WebSocket, uncompressed).
    private func deflate(for head: HTTPRequestHead) -> PerMessageDeflate? {
        guard service.sites.site(named: Self.siteName(of: head))?.permessageDeflate != nil else { return nil }
        return PerMessageDeflate.negotiate(offers: head.headers["Sec-WebSocket-Extensions"])
    }

    func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations,
        head: HTTPRequestHead,
        remoteAddress: String?,
        position: ChannelPipeline.SynchronousOperations.Position
    ) throws {
        let (_, query) = QueryString.split(target: head.uri)
        let headers = HTTPFields(head.headers)
        let request = PlainWebSocketHandler.Request(
            siteName: Self.siteName(of: head),
            query: query,
            headers: headers,
            remoteAddress: service.engine.clientAddress(peer: remoteAddress, headers: headers),
            url: head.uri
        )
        let deflate = deflate(for: head)
        var handlers: [any ChannelHandler] = [WebSocketFrameValidator(allowsCompressedMessages: deflate != nil)]
        if let deflate {
            handlers.append(
                WebSocketInflateHandler(deflate: deflate, maxMessageBytes: limits.maxMessageBytes, allocator: ByteBufferAllocator())
            )
        }
        try pipeline.addHandlers(
            handlers + [
                NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 0,
                    maxAccumulatedFrameCount: 256,
                    maxAccumulatedFrameSize: limits.maxMessageBytes
                ),
                PlainWebSocketHandler(
                    service: service,
                    request: request,
                    limits: limits,
                    closures: closures,
                    coalescer: service.engine.flushCoalescer(for: pipeline.eventLoop),
                    deflate: deflate
                ),
            ],
            position: position
        )
    }
}
