/// A site's `jwt:` settings: clients present a JSON Web Token that Herald verifies itself, with no call to the site.
public struct JWTSettings: Sendable, Hashable {
    /// The signature algorithms the site accepts; a token whose header names another (or `none`) is refused.
    public var algorithms: Set<JWTAlgorithm>
    /// The shared secret of HS256 tokens.
    public var secret: JWTSecret?
    /// The public key of RS256 or ES256 tokens.
    public var publicKey: JWTPublicKey?
    /// The `aud` a token must name (as a string or in an array); nil refuses every token that carries an `aud`,
    /// as RFC 7519 §4.1.3 asks of a recipient that is not named.
    public var audience: String?
    /// The `iss` a token must carry, compared exactly; nil accepts any issuer.
    public var issuer: String?
    /// Clock skew allowed on `exp` and `nbf`, in seconds.
    public var leewaySeconds: Int

    /// The default of `leewaySeconds`: small enough that an expired token stops working at once, large enough for
    /// the clocks of a site's token issuer and of Herald to disagree a little.
    public static let defaultLeewaySeconds = 5
    /// Shortest HS256 secret accepted: 32 bytes, the size of the HMAC-SHA256 output (RFC 7518 §3.2).
    public static let minimumSecretLength = 32

    /// Creates the settings.
    public init(
        algorithms: Set<JWTAlgorithm>,
        secret: JWTSecret? = nil,
        publicKey: JWTPublicKey? = nil,
        audience: String? = nil,
        issuer: String? = nil,
        leewaySeconds: Int = JWTSettings.defaultLeewaySeconds
    ) {
        self.algorithms = algorithms
        self.secret = secret
        self.publicKey = publicKey
        self.audience = audience
        self.issuer = issuer
        self.leewaySeconds = leewaySeconds
    }
}

/// The JWS algorithms Herald verifies (RFC 7518 §3.1).
public enum JWTAlgorithm: String, Sendable, Hashable, CaseIterable, Comparable {
    /// HMAC with SHA-256 and the site's shared secret.
    case hs256 = "HS256"
    /// RSASSA-PKCS1-v1_5 with SHA-256 and the site's RSA public key.
    case rs256 = "RS256"
    /// ECDSA on P-256 with SHA-256 and the site's EC public key.
    case es256 = "ES256"

    public static func < (lhs: JWTAlgorithm, rhs: JWTAlgorithm) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// An HS256 secret; its bytes never appear in a description, so logging a site does not leak it.
public struct JWTSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret's bytes (the UTF-8 of the configured string).
    public let bytes: [UInt8]

    /// Creates a secret from the configured string.
    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }
}
