public import NIOCore
public import NIOHTTP1

/// A WebSocket endpoint served inside ``EngineIOChannel``'s HTTP/1.1 connections beside (or instead of) Engine.IO.
///
/// The channel's endpoints are asked in order; the first whose ``handles(path:)`` says yes takes the upgrade request,
/// so an endpoint for a fixed path goes before a catch-all such as Engine.IO's (``EngineServer/webSocketEndpoint``).
/// Both upgrade paths route through the same endpoints: the first request of a connection (SwiftNIO's typed upgrader)
/// and any later request of a keep-alive connection (``HTTPConnectionGuard``). A request no endpoint takes is
/// answered 404 and the connection closed.
///
/// After a 101 the connection's pipeline holds SwiftNIO's frame decoder (its frame limit the largest
/// ``maxFrameSize`` of the channel's endpoints) and encoder; the endpoint adds the rest in
/// ``addHandlers(to:head:remoteAddress:position:)`` — normally ``WebSocketFrameValidator``, a `NIOWebSocketFrameAggregator`
/// bounded by the endpoint's own message limit, and its handler.
public protocol WebSocketEndpoint: Sendable {
    /// Whether an upgrade request for `path` (the request target without its query) is this endpoint's.
    func handles(path: Substring) -> Bool

    /// Whether the upgrade of `head` goes ahead, decided on the connection's event loop before the 101 is written.
    func decide(head: HTTPRequestHead, remoteAddress: String?) -> WebSocketUpgradeDecision

    /// The largest single frame the endpoint accepts; the connection's frame decoder refuses bigger ones.
    var maxFrameSize: Int { get }

    /// Adds the endpoint's handlers after the frame decoder of an upgraded connection, at `position`.
    func addHandlers(
        to pipeline: ChannelPipeline.SynchronousOperations,
        head: HTTPRequestHead,
        remoteAddress: String?,
        position: ChannelPipeline.SynchronousOperations.Position
    ) throws
}

/// The answer of a ``WebSocketEndpoint`` to one upgrade request.
public enum WebSocketUpgradeDecision: Sendable {
    /// Upgrade, adding these header fields to the 101.
    case accept(HTTPHeaders)
    /// Answer with this HTTP refusal and close the connection.
    case refuse(EngineRefusal)
}
