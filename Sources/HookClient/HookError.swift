/// Why a hook call produced no HTTP answer.
public enum HookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No complete answer within the timeout.
    case timedOut(after: Duration)
    /// The URL is not an absolute http(s) URL.
    case invalidURL(String)
    /// The connection failed (DNS, refused, TLS, reset); `reason` is libcurl's message.
    case transportFailed(reason: String)
    /// The answer's body exceeded the client's limit.
    case responseTooLarge(limit: Int)
    /// The client was shut down before the call finished.
    case shutDown

    public var description: String {
        switch self {
        case .timedOut(let after): "no answer within \(after)"
        case .invalidURL(let url): "invalid URL \(url)"
        case .transportFailed(let reason): "transport failed: \(reason)"
        case .responseTooLarge(let limit): "response larger than \(limit) bytes"
        case .shutDown: "hook client shut down"
        }
    }
}
