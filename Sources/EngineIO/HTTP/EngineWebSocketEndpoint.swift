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
            return .accept(HTTPHeaders())
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
        try pipeline.addHandlers(
            [
                WebSocketFrameValidator(),
                NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 0,
                    maxAccumulatedFrameCount: 4096,
                    maxAccumulatedFrameSize: configuration.maxPayload
                ),
                WebSocketTransportHandler(
                    binding: binding,
                    maxPayload: configuration.maxPayload,
                    coalescer: server.flushCoalescers.coalescer(for: pipeline.eventLoop),
                    closures: server.connectionClosures
                ),
            ],
            position: position
        )
    }
}

extension EngineServer {
    /// Engine.IO's WebSocket transport, to list (last) among an ``EngineIOChannel``'s endpoints.
    public var webSocketEndpoint: any WebSocketEndpoint {
        EngineWebSocketEndpoint(server: self)
    }
}
