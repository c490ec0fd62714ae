/// Why a JWT is refused. Clients see only "Token expired" or "Authentication failed" (``AuthenticationError``); the
/// reason is for Herald's log and never quotes the token.
public enum JWTRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// Longer than ``CompactJWT/maxLength``.
    case tooLong(Int)
    /// Not three base64url parts, or a header or payload that is not a JSON object.
    case malformed(String)
    /// `alg: none`: an unsigned token is never accepted.
    case unsigned
    /// The header's `alg` is not in the site's `algorithms`.
    case algorithmNotAllowed(String)
    /// The header has `crit`: Herald understands no JWS extension, so RFC 7515 §4.1.11 asks it to refuse.
    case criticalExtension
    /// The signature does not verify with the site's key.
    case badSignature
    /// The token has no numeric `exp`: Herald accepts only tokens that expire.
    case missingExpiry
    /// `exp` (plus the leeway) has passed.
    case expired
    /// `nbf` (less the leeway) is still ahead.
    case notYetValid
    /// `aud` does not name the site's `audience`, or names an audience when the site expects none.
    case wrongAudience
    /// `iss` is not the site's `issuer`.
    case wrongIssuer
    /// A claim Herald reads (`sub`, `rooms`, `exp`, `nbf`) has the wrong type.
    case invalidClaim(String)

    public var description: String {
        switch self {
        case .tooLong(let length): "token is \(length) bytes long, at most \(CompactJWT.maxLength) are read"
        case .malformed(let what): "malformed token: \(what)"
        case .unsigned: "unsigned token (alg none)"
        case .algorithmNotAllowed(let algorithm): "algorithm \(algorithm.prefix(16)) is not allowed for this site"
        case .criticalExtension: "token has crit extensions"
        case .badSignature: "signature does not verify"
        case .missingExpiry: "token has no exp"
        case .expired: "token expired"
        case .notYetValid: "token not valid yet (nbf)"
        case .wrongAudience: "aud does not name this site's audience"
        case .wrongIssuer: "iss is not this site's issuer"
        case .invalidClaim(let claim): "claim \(claim) has the wrong type"
        }
    }
}
