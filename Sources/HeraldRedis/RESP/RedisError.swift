/// Why a Redis operation failed. Each case tells the caller what it may do next: `unavailable` and `closed`
/// mean the command never left the process (safe to retry or to answer 503); `timedOut` and `connectionLost`
/// mean it was sent and may or may not have run.
public enum RedisError: Error, Sendable, Hashable {
    /// There is no connection right now (Redis is down or the client is reconnecting); the command was not
    /// sent. Commands fail fast instead of queueing while Redis is away.
    case unavailable
    /// No reply within the command timeout. The connection is closed and reopened, because a late reply
    /// would otherwise be matched to the next command.
    case timedOut
    /// The connection broke after the command was sent and before its reply arrived.
    case connectionLost(reason: String)
    /// The server answered with an error reply, for example `WRONGTYPE …` or `NOAUTH …`.
    case server(String)
    /// The server sent bytes that are not RESP, or a reply nobody asked for; the connection is closed.
    case protocolError(String)
    /// The client or subscriber was closed by its owner.
    case closed
    /// The configuration cannot be used, for example a TLS CA file that does not load.
    case invalidConfiguration(String)
}

extension RedisError: CustomStringConvertible {
    /// A one-line reason suitable for logs; never includes credentials.
    public var description: String {
        switch self {
        case .unavailable: "Redis is unavailable"
        case .timedOut: "Redis did not answer in time"
        case .connectionLost(let reason): "Redis connection lost: \(reason)"
        case .server(let message): "Redis error: \(message)"
        case .protocolError(let message): "Redis protocol error: \(message)"
        case .closed: "Redis client is closed"
        case .invalidConfiguration(let message): "invalid Redis configuration: \(message)"
        }
    }
}
