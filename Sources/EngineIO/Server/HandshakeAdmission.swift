/// Whether the server opens a new session for a handshake (a request without `sid`); see ``HandshakePolicy``.
public enum HandshakeAdmission: Sendable, Hashable {
    /// Open the session.
    case admit
    /// Answer 503 with `Retry-After`, so the client backs off and retries.
    case refuse(retryAfterSeconds: Int)
    /// Answer 403 with `message`: this client may not connect at all (its address is denied).
    case forbid(message: String)
}
