/// How a client's attempt to join a site ended, as counted in `herald_handshakes_total`.
public enum HandshakeOutcome: String, Sendable, CaseIterable {
    /// The client was admitted.
    case accepted
    /// The site refused the credentials (authUrl answered 401, the token is not in `tokens:`, or the JWT is invalid or
    /// expired).
    case rejected
    /// The authUrl did not answer within the hook timeout.
    case timeout
    /// The authUrl could not be reached.
    case unreachable
    /// A site limit refused the client: the site already holds its `maxConnections` sockets on this instance or the
    /// client's address is over `maxAuthAttemptsPerMinute` (authUrl was not asked either way), or the client is a new
    /// device of a user at `maxDevicesPerUser` with every device connected.
    case limited
    /// The site's `allowFrom` / `denyFrom` refused the client's address (authUrl was not asked).
    case denied
    /// Anything else: an unexpected status, a malformed room list, no private room, bad credentials.
    case invalid

    /// The outcome of a refusal.
    init(_ error: AuthenticationError) {
        switch error {
        case .rejected, .invalidToken, .tokenExpired: self = .rejected
        case .timedOut: self = .timeout
        case .unreachable: self = .unreachable
        case .unexpectedStatus, .missingPrivateRoom, .invalidRoomList, .malformedCredentials: self = .invalid
        }
    }
}
