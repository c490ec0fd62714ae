/// What an admitted client may do: the rooms it joins and, on a `jwt:` site, the verified claims (whose `exp` ends
/// the connection).
public struct AuthenticationGrant: Sendable, Hashable {
    /// The rooms the client joins.
    public var rooms: [String]
    /// The claims of the client's JWT; nil for `authUrl` and `tokens:` sites.
    public var jwt: JWTClaims?

    /// Creates a grant.
    public init(rooms: [String], jwt: JWTClaims? = nil) {
        self.rooms = rooms
        self.jwt = jwt
    }
}
