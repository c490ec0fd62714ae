/// Why a client was refused; `message` is what the client sees in its `connect_error`.
///
/// The first three messages are the Node service's, word for word, so existing client code keeps working; a refused
/// JWT reads like a refused token, except an expired one ("Token expired"), which a client renews rather than drops.
public enum AuthenticationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The site's `authUrl` answered 401, or the token is not in the site's `tokens:` table.
    case rejected
    /// The site's `jwt:` refused the token for a reason other than its age; clients see the message of `rejected`.
    case invalidToken(JWTRejection)
    /// The JWT's `exp` has passed.
    case tokenExpired
    /// The site's `authUrl` answered another non-200 status.
    case unexpectedStatus(Int)
    /// The site uses user rooms and the client has neither a user room nor the public channel.
    case missingPrivateRoom
    /// The `authUrl` did not answer in time.
    case timedOut
    /// The `authUrl` could not be reached.
    case unreachable
    /// The `authUrl` answered 200 with something other than a JSON array of room names.
    case invalidRoomList
    /// The token or `meta` cannot be sent in an HTTP header (line breaks, control characters).
    case malformedCredentials

    /// The text sent to the client.
    public var message: String {
        switch self {
        case .rejected, .invalidToken: "Authentication failed"
        case .tokenExpired: "Token expired"
        case .unexpectedStatus(let status): "Auth \(status) error"
        case .missingPrivateRoom: "User is missing a private room"
        case .timedOut: "Auth service timed out"
        case .unreachable: "Auth service unreachable"
        case .invalidRoomList: "Auth response is not a list of rooms"
        case .malformedCredentials: "Token or meta contains characters not allowed in a header"
        }
    }

    /// The message, with a refused JWT's reason for the log (never the token).
    public var description: String {
        guard case .invalidToken(let reason) = self else { return message }
        return "\(message) (\(reason))"
    }
}
