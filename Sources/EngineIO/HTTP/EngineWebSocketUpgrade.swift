import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The Engine.IO WebSocket upgrade of one connection: the decision (which session, or which refusal) and the
/// handlers an upgraded connection runs.
///
/// Used for the first request of a connection (through SwiftNIO's typed upgrader) and for any later request of a
/// keep-alive connection (through ``HTTPConnectionGuard``), so both paths refuse and upgrade alike.
struct EngineWebSocketUpgrade: Sendable {
    let server: EngineServer
    let remoteAddress: String?
    /// Why the last upgrade attempt of this connection was refused.
    let refusal: NIOLoopBoundBox<EngineRefusal?>

    init(server: EngineServer, remoteAddress: String?, eventLoop: any EventLoop) {
        self.server = server
        self.remoteAddress = remoteAddress
        self.refusal = NIOLoopBoundBox(nil, eventLoop: eventLoop)
    }

    /// The largest frame the decoder reads (see ``WebSocketTransportHandler/frameSizeCeiling(maxPayload:)``).
    var maxFrameSize: Int {
        WebSocketTransportHandler.frameSizeCeiling(maxPayload: server.configuration.maxPayload)
    }

    /// Headers to add to the 101 answer, or nil (with ``refusal`` set) when the upgrade is refused.
    func shouldUpgrade(channel: any Channel, head: HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> {
        do throws(EngineError) {
            let binding = try server.webSocketBinding(for: head, remoteAddress: remoteAddress)
            if case .newSession = binding, let busy = server.handshakeRefusal() {
                refusal.value = busy
                return channel.eventLoop.makeSucceededFuture(nil)
            }
            return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
        } catch {
            refusal.value = EngineRefusal(error)
            return channel.eventLoop.makeSucceededFuture(nil)
        }
    }

    /// The refusal of the last attempt; a request that is no valid WebSocket handshake at all is a bad request.
    func takeRefusal() -> EngineRefusal {
        let refused = refusal.value ?? EngineRefusal(.badRequest)
        refusal.value = nil
        return refused
    }

    /// Adds the Engine.IO WebSocket handlers after the frame decoder: frame checks, reassembly, transport.
    func addTransportHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations,
        head: HTTPRequestHead,
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
