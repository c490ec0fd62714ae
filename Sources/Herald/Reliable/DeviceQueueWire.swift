public import SocketIO

/// A ``SocketWire`` whose client acknowledges by position instead of per message: it names the last message it
/// received when it connects (Server-Sent Events' `Last-Event-ID`), which acknowledges every message stored for the
/// device before it. Its device is served by a ``DeviceQueueFollower``, which hands it the device's queue in storage
/// order. Every method is called on the wire's event loop.
public protocol DeviceQueueWire: SocketWire {
    /// The last message the client said it received when it connected; nil on a first connect.
    var lastReceivedID: FlakeID? { get }
    /// Sends queued messages, in order, each with its ID (the position the client names when it comes back).
    func sendQueued(_ messages: [StoredMessage])
    /// Sends a message the device's queue does not hold, without an ID, so the client's position does not move.
    func sendUnqueued(_ message: StoredMessage)
    /// Tells the client to reload: its queue overflowed and was cleared.
    func sendResync()
    /// Ends the connection so that the client comes back and names its position: it holds as many messages as the
    /// server keeps unacknowledged for one connection.
    func endForAcknowledgement()
}
