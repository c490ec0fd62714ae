import Foundation
import Herald
import HeraldServer
import Testing

/// `jwt:` in a site: algorithms, the secret or the public key file they need, the claims checks, and every error
/// located at the key an operator has to fix (never echoing the secret).
@Suite struct JWTSettingsTests {
    private static let secret = "0123456789abcdef0123456789abcdef"

    /// A directory holding the keys as `<name>.pem` and `garbage.pem`.
    private static func keys() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        for (name, pem) in [
            ("rsa", JWTTestKeys.rsa2048), ("rsa1024", JWTTestKeys.rsa1024), ("p256", JWTTestKeys.p256), ("p384", JWTTestKeys.p384),
        ] {
            _ = try directory.write("\(name).pem", pem + "\n")
        }
        _ = try directory.write("garbage.pem", "not a key\n")
        return directory
    }

    private static func sites(_ jwt: String) -> String {
        "shop:\n  apiKey: k\n  userRoomPrefix: user_\n  jwt:\n" + jwt.split(separator: "\n").map { "    \($0)\n" }.joined()
    }

    /// Loads `sites` as if read from `<directory>/sites.yml`.
    private static func load(_ sites: String, in directory: TemporaryDirectory) throws(ConfigurationError) -> LoadedConfiguration {
        try ConfigurationLoader(environment: [:]).load(
            configYAML: nil,
            configFile: "config.yml",
            sitesYAML: sites,
            sitesFile: directory.path("sites.yml")
        )
    }

    private static func error(_ jwt: String, in directory: TemporaryDirectory) -> String? {
        do {
            let loaded = try load(sites(jwt), in: directory)
            Issue.record("expected an error, loaded \(loaded)")
            return nil
        } catch {
            return error.description.replacingOccurrences(of: directory.url.path + "/", with: "")
        }
    }

    @Test func hs256WithASecretAndTheClaimsChecks() throws {
        let directory = try Self.keys()
        defer { directory.cleanUp() }
        let jwt = "algorithms: [HS256]\nsecret: \"\(Self.secret)\"\naudience: herald\nissuer: https://shop.example\nleewaySeconds: 0"
        let loaded = try Self.load(Self.sites(jwt), in: directory)
        let site = try #require(loaded.configuration.sites["shop"])
        #expect(
            site.authentication
                == .jwt(
                    JWTSettings(
                        algorithms: [.hs256],
                        secret: JWTSecret(Self.secret),
                        audience: "herald",
                        issuer: "https://shop.example",
                        leewaySeconds: 0
                    )
                )
        )
        #expect(loaded.warnings.isEmpty)
    }

    @Test func aRelativePublicKeyFileIsReadBesideSitesYml() throws {
        let directory = try Self.keys()
        defer { directory.cleanUp() }
        let rs = try Self.load(Self.sites("algorithms: [RS256]\npublicKeyFile: rsa.pem"), in: directory)
        guard case .jwt(let settings)? = rs.configuration.sites["shop"]?.authentication else {
            Issue.record("not a jwt site")
            return
        }
        #expect(settings.publicKey == (try JWTPublicKey(pem: Array(JWTTestKeys.rsa2048.utf8))))
        #expect(settings.leewaySeconds == JWTSettings.defaultLeewaySeconds)
        let es = try Self.load(Self.sites("algorithms: [ES256, HS256]\npublicKeyFile: p256.pem\nsecret: \(Self.secret)"), in: directory)
        #expect(es.warnings.isEmpty)
    }

    @Test(arguments: [
        ("secret: \(secret)", "sites.yml:5:5: shop.jwt.algorithms: is required: a list of HS256, RS256 or ES256"),
        ("algorithms: []\nsecret: \(secret)", "sites.yml:5:17: shop.jwt.algorithms: must list at least one of HS256, RS256, ES256"),
        ("algorithms: [none]", "sites.yml:5:18: shop.jwt.algorithms[0]: none is never accepted: an unsigned token proves nothing"),
        ("algorithms: [HS512]\nsecret: \(secret)", "sites.yml:5:18: shop.jwt.algorithms[0]: must be HS256, RS256 or ES256"),
        (
            "algorithms: [HS256]",
            "sites.yml:5:5: shop.jwt.secret: is required by HS256: a shared secret of at least 32 bytes"
        ),
        (
            "algorithms: [HS256]\nsecret: short-secret-do-not-show",
            "sites.yml:6:13: shop.jwt.secret: is too short (24 bytes, at least 32 required for HS256); the value is not shown here"
        ),
        (
            "algorithms: [HS256]\nsecret: 12345678901234567890123456789012345",
            "sites.yml:6:13: shop.jwt.secret: must be a non-empty string (quote it if it looks like a number; the value is not shown here)"
        ),
        (
            "algorithms: [RS256]",
            "sites.yml:5:5: shop.jwt.publicKeyFile: is required by RS256: a PEM file with the public key that verifies the tokens"
        ),
        (
            "algorithms: [RS256]\npublicKeyFile: missing.pem",
            "sites.yml:6:20: shop.jwt.publicKeyFile: missing.pem: cannot be read (missing, or not readable by Herald's user)"
        ),
        (
            "algorithms: [RS256]\npublicKeyFile: garbage.pem",
            "sites.yml:6:20: shop.jwt.publicKeyFile: garbage.pem: is not a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate"
        ),
        (
            "algorithms: [RS256]\npublicKeyFile: rsa1024.pem",
            "sites.yml:6:20: shop.jwt.publicKeyFile: rsa1024.pem: holds an RSA key of 1024 bits; at least 2048 are required"
        ),
        (
            "algorithms: [ES256]\npublicKeyFile: p384.pem",
            "sites.yml:6:20: shop.jwt.publicKeyFile: p384.pem: holds a key of type EC (secp384r1); RS256 needs an RSA key and ES256 an EC key on P-256"
        ),
        (
            "algorithms: [ES256]\npublicKeyFile: rsa.pem",
            "sites.yml:6:20: shop.jwt.publicKeyFile: holds an RSA public key (2048 bits); it verifies RS256 only, and algorithms lists ES256"
        ),
        (
            "algorithms: [RS256, ES256]\npublicKeyFile: p256.pem",
            "sites.yml:6:20: shop.jwt.publicKeyFile: holds an EC public key (P-256); it verifies ES256 only, and algorithms lists ES256 and RS256"
        ),
        (
            "algorithms: [HS256]\nsecret: \(secret)\nleewaySeconds: 301",
            "sites.yml:7:20: shop.jwt.leewaySeconds: must be a number of seconds from 0 to 300, found the number 301"
        ),
        (
            "algorithms: [HS256]\nsecret: \(secret)\naudience: \"\"",
            "sites.yml:7:15: shop.jwt.audience: must be a non-empty string"
        ),
    ])
    func invalidSettingsAreRefusedWhereTheyAre(jwt: String, message: String) throws {
        let directory = try Self.keys()
        defer { directory.cleanUp() }
        #expect(Self.error(jwt, in: directory) == message)
    }

    @Test func jwtExcludesAuthUrlAndTokens() throws {
        let directory = try Self.keys()
        defer { directory.cleanUp() }
        let sites = "shop:\n  apiKey: k\n  authUrl: http://a.example/rooms\n  jwt:\n    algorithms: [HS256]\n    secret: \(Self.secret)\n"
        #expect(throws: ConfigurationError.self) { try Self.load(sites, in: directory) }
        do {
            _ = try Self.load(sites, in: directory)
        } catch {
            #expect(error.description.hasSuffix("sites.yml:5:5: shop.jwt: set only one of authUrl, tokens and jwt (found authUrl, jwt)"))
        }
    }

    @Test func unusedKeysAreWarnedAbout() throws {
        let directory = try Self.keys()
        defer { directory.cleanUp() }
        let loaded = try Self.load(Self.sites("algorithms: [RS256]\npublicKeyFile: rsa.pem\nsecret: \(Self.secret)"), in: directory)
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings.first?.contains("shop.jwt.secret: has no effect: only HS256 uses a secret") == true)
        #expect(loaded.warnings.first?.contains(Self.secret) == false)
    }
}

/// Public keys for the configuration tests (public, so nothing secret is committed).
enum JWTTestKeys {
    /// An RSA public key of 2048 bits.
    static let rsa2048 = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtbycGNX1H34KmWDX3VOm
        a6Cui0/8xjA/83ZBsZE0uXeY5Odj+ZCd49wuRqp7wpjb9qM/DMGlp4ofDdn5946+
        60F/JRN4SuxRrgBvLUdJsJ0GPnBEoRVIltJVVlUaEJ6PVcA5GLFSBG2o3RIe6eo9
        Vr+oti34ao53PzldLhD9Sz0fTkwjCJrCQdyj4vZOC92YTOPp9M45NAOuu9MoG2Wy
        NoQsadFd+m/nuMVlWX9N8yYEFkKBtHk5cR5e6Ftlj1qIty8LTlqkYLYhR92144u+
        soFmA1+Yq1Gsel3zIiM9+zM8IHxVeOjrMGWaI17E4A9jW0AJsAriIROMDcrQFsjT
        mQIDAQAB
        -----END PUBLIC KEY-----
        """

    /// An RSA public key of 1024 bits: too short.
    static let rsa1024 = """
        -----BEGIN PUBLIC KEY-----
        MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDFSf1OySA0DMVOuiCbe0kRbvix
        zEliE/VK7GEGf9JEQ47qdx334YujRWyAzC4tbwOwrrzliMp4OWXTdUAhEaNamZrn
        n8Hhm+3AeY5LIJUldtKRFqSgHKH/HqsORijNS2ujzcafKjL9l1/rKTtV2dx9DdXd
        T1i4ehO/+1BZ/b3MswIDAQAB
        -----END PUBLIC KEY-----
        """

    /// An EC public key on P-256.
    static let p256 = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEA9pav6iLmp1btMRfCVPVV7kDB9WB
        kOG5dSrl+EMrx5lsi9JDjSzsJyz9BK5DUqaK8zBjznvdbJH2H1NUapAYtw==
        -----END PUBLIC KEY-----
        """

    /// An EC public key on P-384: a curve no supported algorithm uses.
    static let p384 = """
        -----BEGIN PUBLIC KEY-----
        MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE6jG4WHdwR09hVF/E79MklJeItBj6wvq5
        EX+qqbDN0xP94GqC/EPchbhV8Ke6C4jaDUCqjSeojshdOiQqCO3OdElku5oV0j0E
        GfJbiUvgGe+P8UgkKR1gNaapNi1dpthq
        -----END PUBLIC KEY-----
        """
}
