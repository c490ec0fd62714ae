import NIOCore

/// The bounds of plain WebSocket JSON connections.
struct PlainWebSocketLimits: Sendable {
    /// The largest message a client may send (credentials and acks are small; 4,096 IDs fit).
    var maxMessageBytes = 96 * 1024
    /// The most IDs one ack may name.
    var maxIDsPerAck = 4096
    /// How long a connection without a `token` query parameter has to send its credentials.
    var credentialsTimeout: TimeAmount
    /// How often the server pings; a client that sent nothing in one interval after a ping is closed.
    var pingInterval: TimeAmount
}
