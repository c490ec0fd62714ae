public import SocketIO

/// Why the gateway refused a client, as a stable code that clients of other wires (plain WebSocket, Server-Sent
/// Events) get beside the message; each wire maps it to its own signal (a close code, an HTTP status).
public enum RefusalCode: String, Sendable, CaseIterable {
    /// No site of that name.
    case unknownSite = "UNKNOWN_SITE"
    /// The site's `authUrl`, `tokens:` table or `jwt:` refused the token, or it grants no room the site requires.
    case unauthorized = "UNAUTHORIZED"
    /// The site's `authUrl` failed: timed out, unreachable, or an answer that is no room list.
    case authUnavailable = "AUTH_UNAVAILABLE"
    /// The site is at its `maxConnections`.
    case connectionLimit = "CONNECTION_LIMIT"
    /// The user is at the site's `maxDevicesPerUser` with every device connected.
    case tooManyDevices = "TOO_MANY_DEVICES"
    /// The site's `allowFrom` / `denyFrom` refuse the client's address.
    case addressNotAllowed = "ADDRESS_NOT_ALLOWED"
    /// The client's address made more handshakes than the site's `maxAuthAttemptsPerMinute`; authentication was not asked.
    case tooManyAuthAttempts = "TOO_MANY_AUTH_ATTEMPTS"

    /// The code of a refusal, when the gateway set one.
    public init?(_ error: ConnectError) {
        guard let code = error.code, let known = RefusalCode(rawValue: code) else { return nil }
        self = known
    }

    init(_ error: AuthenticationError) {
        switch error {
        case .rejected, .invalidToken, .tokenExpired, .missingPrivateRoom, .malformedCredentials: self = .unauthorized
        case .unexpectedStatus(let status) where (400..<500).contains(status): self = .unauthorized
        case .unexpectedStatus, .timedOut, .unreachable, .invalidRoomList: self = .authUnavailable
        }
    }
}

extension ConnectError {
    init(_ message: String, code: RefusalCode) {
        self.init(message, code: code.rawValue)
    }
}
