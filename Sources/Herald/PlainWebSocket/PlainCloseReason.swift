/// Why Herald ends a plain WebSocket JSON connection: the `code` of the `{"type":"error"}` message and the
/// WebSocket close code (4000–4999, the range RFC 6455 leaves to applications) that follows it.
public enum PlainCloseReason: Sendable, Hashable, CaseIterable {
    /// A message that is not valid JSON, of an unknown type, binary, or an `auth` after the client was admitted.
    case invalidMessage
    /// The site's `authUrl` or token table refused the client.
    case unauthorized
    /// No site of that name.
    case unknownSite
    /// No credentials within the connect timeout.
    case authenticationTimeout
    /// A message larger than the server accepts.
    case messageTooLarge
    /// The site is at its `maxConnections`, the user at its `maxDevicesPerUser`, or the client's address at the
    /// site's `maxAuthAttemptsPerMinute`.
    case limitReached
    /// The site's `authUrl` failed; try again later.
    case authUnavailable
    /// The server disconnected the client (the site was removed, an operator's action).
    case disconnected
    /// The site's `allowFrom` / `denyFrom` refuse the client's address.
    case addressNotAllowed

    /// Every refusal code of the gateway maps to one reason.
    public init(_ refusal: RefusalCode) {
        switch refusal {
        case .unknownSite: self = .unknownSite
        case .unauthorized: self = .unauthorized
        case .authUnavailable: self = .authUnavailable
        case .connectionLimit, .tooManyDevices, .tooManyAuthAttempts: self = .limitReached
        case .addressNotAllowed: self = .addressNotAllowed
        }
    }

    /// The `code` of the error message.
    public var code: String {
        switch self {
        case .invalidMessage: "INVALID_MESSAGE"
        case .unauthorized: "UNAUTHORIZED"
        case .unknownSite: "UNKNOWN_SITE"
        case .authenticationTimeout: "AUTH_TIMEOUT"
        case .messageTooLarge: "MESSAGE_TOO_LARGE"
        case .limitReached: "LIMIT_REACHED"
        case .authUnavailable: "AUTH_UNAVAILABLE"
        case .disconnected: "DISCONNECTED"
        case .addressNotAllowed: "ADDRESS_NOT_ALLOWED"
        }
    }

    /// The WebSocket close code: 4000 plus an HTTP status of the same meaning, so it reads at a glance.
    public var closeCode: UInt16 {
        switch self {
        case .invalidMessage: 4400
        case .unauthorized: 4401
        case .unknownSite: 4404
        case .authenticationTimeout: 4408
        case .messageTooLarge: 4413
        case .limitReached: 4429
        case .authUnavailable: 4503
        case .disconnected: 4410
        case .addressNotAllowed: 4403
        }
    }
}
