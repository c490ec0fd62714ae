/// How a site decides who may connect and which rooms they join.
public enum SiteAuthentication: Sendable, Hashable {
    /// Ask the site's endpoint: `GET url` with `Authorization: <authScheme> <token>`; 200 with a JSON array of rooms.
    case authURL(String)
    /// A fixed table from token to rooms, for sites without an auth endpoint (tokens are at least 16 characters).
    case tokens([String: [String]])
    /// The token is a JSON Web Token that Herald verifies itself: `sub` names the user, `rooms` lists the rooms, and
    /// `exp` ends the connection (unless the client sends `_refresh` with a newer token).
    case jwt(JWTSettings)

    /// Shortest token accepted in a `tokens:` table.
    public static let minimumTokenLength = 16

    /// Whether a recovering client may keep its rooms without being authenticated again (`recovery.skipAuth`): not
    /// with a JWT, whose check needs no network call and whose `exp` must hold for a returning client too.
    public var isSkippableOnRecovery: Bool {
        if case .jwt = self { return false }
        return true
    }
}
