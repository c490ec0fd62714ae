public import NIOCore

/// The connection a ``Socket`` speaks through.
///
/// Socket.IO over Engine.IO is one wire (``Client``, internal to this module). Other client protocols — plain
/// WebSocket JSON, Server-Sent Events — are wires too: they get the same packets (events, acks, broadcasts) and
/// render them their own way, so admission, rooms and delivery stay in one place. A wire belongs to one event loop,
/// and a socket calls it only there.
public protocol SocketWire: AnyObject, Sendable {
    /// The event loop that owns the connection, and the sockets speaking through it.
    var eventLoop: any EventLoop { get }
    /// Whether the connection is still open; a socket admitted after it closed is not connected.
    var isOpen: Bool { get }
    /// The transport in use, as operators see it (`polling`, `websocket`, `sse`, …).
    var transportName: String { get }
    /// Sends one packet of `socket` to the client: an event (with an ack ID when the server waits for an ack), an
    /// ack of the client's event, or the socket leaving its namespace.
    func send(_ packet: SocketPacket, of socket: Socket)
    /// Writes a broadcast that was prepared once for all its recipients.
    func deliver(_ broadcast: PreparedBroadcast, to socket: Socket)
    /// The server disconnected `socket` from its namespace (its ``SocketWire/send(_:of:)`` of the disconnect packet
    /// came first); a wire that carries a single socket closes its connection.
    func socketLeft(_ socket: Socket)
    /// Closes the whole connection; its sockets are disconnected.
    func close()
}
