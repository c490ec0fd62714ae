import HookClient
import Testing

@testable import Herald

/// `jwt:` sites: tokens signed by OpenSSL in the test are accepted or refused by the authenticator, with the rooms
/// they grant or the message the client sees.
@Suite struct JWTAuthenticationTests {
    static let now: Int64 = 1_800_000_000
    static let secret = "0123456789abcdef0123456789abcdef"
    private typealias Signer = JWTTestSigner

    private struct FixedClock: WallClock {
        var milliseconds: Int64 { JWTAuthenticationTests.now * 1000 }
    }

    private let authenticator = Authenticator(
        hooks: FakeHooks { _ in HookResponse(status: 500) },
        timeout: .seconds(1),
        clock: FixedClock()
    )

    private static func site(_ settings: JWTSettings, userRoomPrefix: String? = "user_") -> Site {
        Site(
            name: "shop",
            authentication: .jwt(settings),
            apiKey: "k",
            userRoomPrefix: userRoomPrefix,
            publicChannel: "lobby"
        )
    }

    private static let hsSite = site(JWTSettings(algorithms: [.hs256], secret: JWTSecret(secret)))
    private static let rsSite = site(JWTSettings(algorithms: [.rs256], publicKey: Signer.rsa.publicKey))
    private static let esSite = site(JWTSettings(algorithms: [.es256], publicKey: Signer.p256.publicKey))

    static func claims(
        sub: String? = "42",
        exp: Int64? = now + 60,
        extra: String = ""
    ) -> String {
        var fields: [String] = []
        if let sub { fields.append(#""sub":"\#(sub)""#) }
        if let exp { fields.append(#""exp":\#(exp)"#) }
        if !extra.isEmpty { fields.append(extra) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func grant(_ token: String, at site: Site) async throws(AuthenticationError) -> AuthenticationGrant {
        try await authenticator.grant(for: ClientCredentials(token: token), at: site)
    }

    private func refusal(_ token: String, at site: Site) async -> AuthenticationError? {
        do {
            let granted = try await grant(token, at: site)
            Issue.record("expected a refusal, granted \(granted)")
            return nil
        } catch {
            return error
        }
    }

    // MARK: Accepted

    @Test func hs256GrantsTheUserRoomAndTheRoomsClaim() async throws {
        let token = Signer.token(Self.claims(extra: #""rooms":["news","user_42",7]"#), .hs256(secret: Self.secret))
        let granted = try await grant(token, at: Self.hsSite)
        #expect(granted.rooms == ["user_42", "news", "7"])
        #expect(granted.jwt == JWTClaims(subject: "42", rooms: ["news", "user_42", "7"], expiresAt: Self.now + 60))
        #expect(try await authenticator.rooms(for: ClientCredentials(token: token), at: Self.hsSite) == granted.rooms)
    }

    @Test func rs256AndES256VerifyWithThePublicKey() async throws {
        let rs = Signer.token(Self.claims(), .rs256(Signer.rsa))
        #expect(try await grant(rs, at: Self.rsSite).rooms == ["user_42"])
        let es = Signer.token(Self.claims(), .es256(Signer.p256))
        #expect(try await grant(es, at: Self.esSite).rooms == ["user_42"])
    }

    @Test func withoutUserRoomPrefixOnlyTheRoomsClaimIsJoined() async throws {
        let site = Self.site(JWTSettings(algorithms: [.hs256], secret: JWTSecret(Self.secret)), userRoomPrefix: nil)
        let token = Signer.token(Self.claims(extra: #""rooms":["news"]"#), .hs256(secret: Self.secret))
        #expect(try await grant(token, at: site).rooms == ["news"])
    }

    @Test func expiryAndNotBeforeAllowTheLeeway() async throws {
        let justExpired = Signer.token(Self.claims(exp: Self.now - 2), .hs256(secret: Self.secret))
        #expect(try await grant(justExpired, at: Self.hsSite).jwt?.expiresAt == Self.now - 2)
        let soon = Signer.token(Self.claims(extra: #""nbf":\#(Self.now + 3)"#), .hs256(secret: Self.secret))
        #expect(try await grant(soon, at: Self.hsSite).rooms == ["user_42"])
    }

    @Test func audienceMayBeAStringOrAnArrayAndIssuerMatchesExactly() async throws {
        let site = Self.site(
            JWTSettings(algorithms: [.hs256], secret: JWTSecret(Self.secret), audience: "herald", issuer: "https://shop.example")
        )
        for aud in [#""herald""#, #"["other","herald"]"#] {
            let token = Signer.token(
                Self.claims(extra: #""aud":\#(aud),"iss":"https://shop.example""#),
                .hs256(secret: Self.secret)
            )
            #expect(try await grant(token, at: site).rooms == ["user_42"])
        }
    }

    // MARK: Refused

    @Test func anExpiredTokenIsRefusedAsExpired() async {
        let token = Signer.token(Self.claims(exp: Self.now - 6), .hs256(secret: Self.secret))
        let error = await refusal(token, at: Self.hsSite)
        #expect(error == .tokenExpired)
        #expect(error?.message == "Token expired")
    }

    @Test func aBadSignatureIsRefused() async {
        let wrongSecret = Signer.token(Self.claims(), .hs256(secret: "another secret of thirty-two bytes!"))
        #expect(await refusal(wrongSecret, at: Self.hsSite) == .invalidToken(.badSignature))
        let otherKey = Signer.token(Self.claims(), .rs256(Signer.otherRSA))
        #expect(await refusal(otherKey, at: Self.rsSite) == .invalidToken(.badSignature))
        let good = Signer.token(Self.claims(), .es256(Signer.p256))
        let tampered =
            good.split(separator: ".")[0] + "." + Signer.base64URL(Array(Self.claims(sub: "1").utf8)) + "."
            + good.split(separator: ".")[2]
        #expect(await refusal(String(tampered), at: Self.esSite) == .invalidToken(.badSignature))
        #expect(await refusal(String(tampered), at: Self.esSite)?.message == "Authentication failed")
    }

    @Test func anES256SignatureInDERFormIsRefused() async {
        let token = Signer.token(Self.claims(), .es256(Signer.p256))
        let parts = token.split(separator: ".")
        let der = Signer.base64URL(Array(repeating: 0x30, count: 70))
        #expect(await refusal("\(parts[0]).\(parts[1]).\(der)", at: Self.esSite) == .invalidToken(.badSignature))
    }

    @Test func unsignedTokensAreRefused() async {
        for alg in ["none", "None", "NONE"] {
            let token = Signer.token(Self.claims(), .unsigned(alg: alg))
            #expect(await refusal(token, at: Self.hsSite) == .invalidToken(.unsigned))
        }
    }

    /// Algorithm confusion: an HS256 token whose "secret" is the RS256 site's public key is refused before any key
    /// is used, because the site does not list HS256.
    @Test func anAlgorithmTheSiteDoesNotListIsRefused() async {
        let confused = Signer.token(Self.claims(), .hs256(secret: Signer.rsa.publicPEM))
        #expect(await refusal(confused, at: Self.rsSite) == .invalidToken(.algorithmNotAllowed("HS256")))
        let esOnRS = Signer.token(Self.claims(), .es256(Signer.p256))
        #expect(await refusal(esOnRS, at: Self.rsSite) == .invalidToken(.algorithmNotAllowed("ES256")))
        let unknown = Signer.token(Self.claims(), .claimingAlgorithm("HS512", .hs256(secret: Self.secret)))
        #expect(await refusal(unknown, at: Self.hsSite) == .invalidToken(.algorithmNotAllowed("HS512")))
    }

    @Test func aSiteWithBothKindsUsesEachKeyOnlyForItsAlgorithm() async throws {
        let site = Self.site(
            JWTSettings(algorithms: [.hs256, .rs256], secret: JWTSecret(Self.secret), publicKey: Signer.rsa.publicKey)
        )
        #expect(try await grant(Signer.token(Self.claims(), .hs256(secret: Self.secret)), at: site).rooms == ["user_42"])
        #expect(try await grant(Signer.token(Self.claims(), .rs256(Signer.rsa)), at: site).rooms == ["user_42"])
        let confused = Signer.token(Self.claims(), .hs256(secret: Signer.rsa.publicPEM))
        #expect(await refusal(confused, at: site) == .invalidToken(.badSignature))
    }

    @Test func critExtensionsAreRefused() async {
        let token = Signer.token(Self.claims(), .hs256(secret: Self.secret), header: #","crit":["exp"]"#)
        #expect(await refusal(token, at: Self.hsSite) == .invalidToken(.criticalExtension))
    }

    @Test func aTokenNotValidYetIsRefused() async {
        let token = Signer.token(Self.claims(extra: #""nbf":\#(Self.now + 60)"#), .hs256(secret: Self.secret))
        #expect(await refusal(token, at: Self.hsSite) == .invalidToken(.notYetValid))
    }

    @Test(arguments: [
        (#""aud":"other","iss":"https://shop.example""#, JWTRejection.wrongAudience),
        (#""aud":["other"],"iss":"https://shop.example""#, .wrongAudience),
        (#""iss":"https://shop.example""#, .wrongAudience),
        (#""aud":"herald","iss":"https://evil.example""#, .wrongIssuer),
        (#""aud":"herald""#, .wrongIssuer),
    ])
    func audienceAndIssuerMustMatch(extra: String, rejection: JWTRejection) async {
        let site = Self.site(
            JWTSettings(algorithms: [.hs256], secret: JWTSecret(Self.secret), audience: "herald", issuer: "https://shop.example")
        )
        let token = Signer.token(Self.claims(extra: extra), .hs256(secret: Self.secret))
        #expect(await refusal(token, at: site) == .invalidToken(rejection))
    }

    @Test func anAudienceIsRefusedWhenTheSiteExpectsNone() async {
        let token = Signer.token(Self.claims(extra: #""aud":"someone-else""#), .hs256(secret: Self.secret))
        #expect(await refusal(token, at: Self.hsSite) == .invalidToken(.wrongAudience))
    }

    @Test(arguments: [
        (JWTAuthenticationTests.claims(exp: nil), JWTRejection.missingExpiry),
        (JWTAuthenticationTests.claims(exp: nil, extra: #""exp":"soon""#), .invalidClaim("exp")),
        (JWTAuthenticationTests.claims(exp: nil, extra: #""exp":9223372036854775807"#), .invalidClaim("exp")),
        (JWTAuthenticationTests.claims(sub: nil, extra: #""sub":42"#), .invalidClaim("sub")),
        (JWTAuthenticationTests.claims(extra: #""rooms":"news""#), .invalidClaim("rooms")),
        (JWTAuthenticationTests.claims(extra: #""rooms":[{"a":1}]"#), .invalidClaim("rooms")),
        ("[1,2]", .malformed("payload is not a JSON object")),
    ])
    func claimsOfTheWrongShapeAreRefused(claims: String, rejection: JWTRejection) async {
        let token = Signer.token(claims, .hs256(secret: Self.secret))
        #expect(await refusal(token, at: Self.hsSite) == .invalidToken(rejection))
    }

    @Test(arguments: [
        ("", JWTRejection.malformed("not three dot-separated parts")),
        ("garbage", .malformed("not three dot-separated parts")),
        ("a.b.c.d", .malformed("not three dot-separated parts")),
        ("e30.e30.!!", .malformed("signature is not base64url")),
        ("e30=.e30.AA", .malformed("header is not base64url")),
        ("W10.e30.AA", .malformed("header is not a JSON object")),
        ("e30.e30.AA", .malformed("header has no alg")),
        ("eyJhbGciOiJIUzI1NiJ9.e30.A", .malformed("signature is not base64url")),
    ])
    func garbageIsRefusedWithAClearReason(token: String, rejection: JWTRejection) async {
        #expect(await refusal(token, at: Self.hsSite) == .invalidToken(rejection))
    }

    @Test func anOversizedTokenIsRefusedBeforeDecoding() async {
        let padding = String(repeating: "a", count: CompactJWT.maxLength)
        let token = Signer.token(Self.claims(extra: #""pad":"\#(padding)""#), .hs256(secret: Self.secret))
        #expect(await refusal(token, at: Self.hsSite) == .invalidToken(.tooLong(token.utf8.count)))
    }

    @Test func withUserRoomPrefixATokenWithoutSubNeedsAUserRoomOrThePublicChannel() async throws {
        let anonymous = Signer.token(Self.claims(sub: nil, extra: #""rooms":["news"]"#), .hs256(secret: Self.secret))
        let error = await refusal(anonymous, at: Self.hsSite)
        #expect(error == .missingPrivateRoom)
        #expect(error?.message == "User is missing a private room")
        let visitor = Signer.token(Self.claims(sub: nil, extra: #""rooms":["lobby"]"#), .hs256(secret: Self.secret))
        #expect(try await grant(visitor, at: Self.hsSite).rooms == ["lobby"])
    }

    @Test func refusalsLogTheirReasonButShowTheClientTheNodeServiceMessage() {
        let error = AuthenticationError.invalidToken(.badSignature)
        #expect(error.message == AuthenticationError.rejected.message)
        #expect(error.description == "Authentication failed (signature does not verify)")
        #expect(RefusalCode(error) == .unauthorized)
        #expect(RefusalCode(AuthenticationError.tokenExpired) == .unauthorized)
    }
}
