/// Why an Engine.IO session ended; `description` uses the reference server's wording.
public enum EngineCloseReason: Sendable, Hashable, CustomStringConvertible {
    /// The client closed the transport or sent a `close` packet.
    case transportClose
    /// The transport failed (socket error, client too slow to read).
    case transportError(String)
    /// The heartbeat was not answered in time.
    case pingTimeout
    /// The client sent input that could not be parsed.
    case parseError(String)
    /// The client sent a message over `maxPayload`.
    case payloadTooLarge
    /// The server closed the session.
    case forcedClose

    public var description: String {
        switch self {
        case .transportClose: "transport close"
        case .transportError(let detail): "transport error: \(detail)"
        case .pingTimeout: "ping timeout"
        case .parseError(let detail): "parse error: \(detail)"
        case .payloadTooLarge: "payload too large"
        case .forcedClose: "forced close"
        }
    }
}
