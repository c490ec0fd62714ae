import EngineIO

/// Why a socket left its namespace; `description` uses Socket.IO's wording, which clients and logs expect.
public enum DisconnectReason: Sendable, Hashable, CustomStringConvertible {
    /// The server called `disconnect()` on the socket.
    case serverNamespaceDisconnect
    /// The client left the namespace.
    case clientNamespaceDisconnect
    /// The server is shutting down.
    case serverShuttingDown
    /// The connection was closed by the client or the network.
    case transportClose
    /// The connection failed (including a client too slow to read what it is sent).
    case transportError
    /// The client stopped answering heartbeats.
    case pingTimeout
    /// The client sent something that could not be parsed.
    case parseError
    /// The client sent a message over the size limit.
    case payloadTooLarge
    /// The namespace was removed from the server.
    case namespaceRemoved

    public var description: String {
        switch self {
        case .serverNamespaceDisconnect: "server namespace disconnect"
        case .clientNamespaceDisconnect: "client namespace disconnect"
        case .serverShuttingDown: "server shutting down"
        case .transportClose: "transport close"
        case .transportError: "transport error"
        case .pingTimeout: "ping timeout"
        case .parseError: "parse error"
        case .payloadTooLarge: "payload too large"
        case .namespaceRemoved: "namespace removed"
        }
    }

    /// Whether a client that lost its socket this way may take its session back (Socket.IO's
    /// `RECOVERABLE_DISCONNECT_REASONS`): the connection was lost, not ended on purpose.
    public var isRecoverable: Bool {
        switch self {
        case .transportClose, .transportError, .pingTimeout, .serverShuttingDown: true
        default: false
        }
    }

    init(_ reason: EngineCloseReason) {
        switch reason {
        case .transportClose: self = .transportClose
        case .transportError: self = .transportError
        case .pingTimeout: self = .pingTimeout
        case .parseError: self = .parseError
        case .payloadTooLarge: self = .payloadTooLarge
        case .forcedClose: self = .serverShuttingDown
        }
    }
}
