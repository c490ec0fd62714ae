public import NIOCore

/// One listener WebSocket as the event server sees it: where it lives and how a message reaches it.
///
/// Ownership: each listener belongs to one event loop; the server calls ``receive(_:)`` and ``close(goingAway:)``
/// only on that loop.
public protocol EventListener: AnyObject, Sendable {
    /// The loop of the listener's connection.
    var eventLoop: any EventLoop { get }
    /// Sends one event message (the same buffer for every listener of the event); on ``eventLoop``.
    func receive(_ message: ByteBuffer)
    /// Closes the listener (code 1001 when `goingAway`, on shutdown); on ``eventLoop``.
    func close(goingAway: Bool)
}
