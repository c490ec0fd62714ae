import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Engine.IO's WebSocket transport as a ``WebSocketEndpoint``: it takes every path, and refuses one that is not
/// the server's path with Engine.IO's own "Bad request" answer, as it always did; put it last.
struct EngineWebSocketEndpoint: WebSocketEndpoint {
    let server: EngineServer

    func handles(path: Substring) -> Bool { true }

    /// The largest frame the decoder reads (see ``WebSocketTransportHandler/frameSizeCeiling(maxPayload:)``).
    var maxFrameSize: Int {
        WebSocketTransportHandler.frameSizeCeiling(maxPayload: server.configuration.maxPayload)
    }

    func decide(head: HTTPRequestHead, remoteAddress: String?) -> WebSocketUpgradeDecision {
        do throws(EngineError) {
            let binding = try server.webSocketBinding(for: head, remoteAddress: remoteAddress)
            if case .newSession(_, let handshake, _) = binding,
                let refusal = server.handshakeRefusal(clientAddress: handshake.remoteAddress)
            {
                return .refuse(refusal)
            }
            var headers = HTTPHeaders()
            if let deflate = deflate(for: head) {
                headers.add(name: "Sec-WebSocket-Extensions", value: deflate.responseHeaderValue)
            }
            return .accept(headers)
        } catch {
            return .refuse(EngineRefusal(error))
        }
    }

    /// Adds the Engine.IO WebSocket handlers after the frame decoder: frame checks, reassembly, transport.
    func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations,
        head: HTTPRequestHead,
        remoteAddress: String?,
        position: ChannelPipeline.SynchronousOperations.Position
    ) throws {
        let binding = try server.webSocketBinding(for: head, remoteAddress: remoteAddress)
        let configuration = server.configuration
        let deflate = deflate(for: head)
        var handlers: [any ChannelHandler] = [WebSocketFrameValidator(allowsCompressedMessages: deflate != nil)]
        if let deflate {
            handlers.append(
                WebSocketInflateHandler(deflate: deflate, maxMessageBytes: configuration.maxPayload, allocator: ByteBufferAllocator())
            )
        }
        try pipeline.addHandlers(
            handlers + [
                NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 0,
                    maxAccumulatedFrameCount: 4096,
                    maxAccumulatedFrameSize: configuration.maxPayload
                ),
                WebSocketTransportHandler(
                    binding: binding,
                    maxPayload: configuration.maxPayload,
                    coalescer: server.flushCoalescers.coalescer(for: pipeline.eventLoop),
                    closures: server.connectionClosures,
                    deflate: deflate.map { WebSocketDeflate(agreement: $0, counters: server.deflateCounters) }
                ),
            ],
            position: position
        )
    }

    /// The permessage-deflate agreement for `head`'s offers, when the server negotiates it. The same answer both
    /// times it is asked (for the 101's header, then for the handlers), as the head and the switch are read alike.
    private func deflate(for head: HTTPRequestHead) -> PerMessageDeflate? {
        guard server.negotiatesPerMessageDeflate else { return nil }
        return PerMessageDeflate.negotiate(offers: head.headers["Sec-WebSocket-Extensions"])
    }
}

extension EngineServer {
    /// Engine.IO's WebSocket transport, to list (last) among an ``EngineIOChannel``'s endpoints.
    public var webSocketEndpoint: any WebSocketEndpoint {
        EngineWebSocketEndpoint(server: self)
    }
}
