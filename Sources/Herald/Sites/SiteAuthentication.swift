/// How a site decides who may connect and which rooms they join.
public enum SiteAuthentication: Sendable, Hashable {
    /// Ask the site's endpoint: `GET url` with `Authorization: <authScheme> <token>`; 200 with a JSON array of rooms.
    case authURL(String)
    /// A fixed table from token to rooms, for sites without an auth endpoint (tokens are at least 16 characters).
    case tokens([String: [String]])

    /// Shortest token accepted in a `tokens:` table.
    public static let minimumTokenLength = 16
}
