/// Why a hook call produced no HTTP answer.
public enum HookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No complete answer within the timeout.
    case timedOut(after: Duration)
    /// The URL is not an absolute http(s) URL.
    case invalidURL(String)
    /// A header name is not an HTTP token or its value holds a line break or NUL, which would let a
    /// client-supplied value (such as `X-META`) inject headers; nothing was sent.
    case invalidHeader(name: String)
    /// The connection failed (DNS, refused, TLS, reset); `reason` is libcurl's message.
    case transportFailed(reason: String)
    /// The answer's body exceeded the client's limit.
    case responseTooLarge(limit: Int)
    /// The calling task was cancelled; the transfer was abandoned and its connection closed.
    case cancelled
    /// The client was shut down before the call finished.
    case shutDown

    public var description: String {
        switch self {
        case .timedOut(let after): "no answer within \(after)"
        case .invalidURL(let url): "invalid URL \(url)"
        case .invalidHeader(let name): "invalid header \(name)"
        case .transportFailed(let reason): "transport failed: \(reason)"
        case .responseTooLarge(let limit): "response larger than \(limit) bytes"
        case .cancelled: "hook call cancelled"
        case .shutDown: "hook client shut down"
        }
    }
}
