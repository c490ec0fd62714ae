import EngineIO
import Herald
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Event-server listeners as a ``WebSocketEndpoint``: at `GET /events` on Herald's port, or on any path of the
/// broadcast port (as the original's broadcast server).
struct EventWebSocketEndpoint: WebSocketEndpoint {
    let server: EventServer
    /// The one path taken; nil takes every path.
    let path: String?
    let closures: ConnectionClosureCounts

    func handles(path: Substring) -> Bool {
        guard let own = self.path else { return true }
        return path == own
    }

    /// A frame up to twice the message limit is read in full and then refused with 1009, so the close frame is not
    /// lost to a TCP reset caused by unread input.
    var maxFrameSize: Int {
        server.settings.maxMessageBytes * 2
    }

    func decide(head: HTTPRequestHead, remoteAddress: String?) -> WebSocketUpgradeDecision {
        guard server.listeners.hasRoom else {
            return .refuse(EngineRefusal(status: .serviceUnavailable, body: #"{"message":"Too many listeners"}"#, retryAfterSeconds: 5))
        }
        return .accept(HTTPHeaders())
    }

    func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations,
        head: HTTPRequestHead,
        remoteAddress: String?,
        position: ChannelPipeline.SynchronousOperations.Position
    ) throws {
        try pipeline.addHandlers(
            [
                WebSocketFrameValidator(),
                NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 0,
                    maxAccumulatedFrameCount: 256,
                    maxAccumulatedFrameSize: server.settings.maxMessageBytes
                ),
                EventListenerHandler(server: server, closures: closures),
            ],
            position: position
        )
    }
}
