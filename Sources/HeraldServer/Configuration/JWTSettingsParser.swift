import Foundation
import Herald

/// Reads a site's `jwt:` mapping: `algorithms`, `secret` (HS256), `publicKeyFile` (RS256 or ES256), `audience`,
/// `issuer`, `leewaySeconds`. The key file is read and checked here, once, so `herald check-config` and startup refuse
/// a missing file, a file that holds no public key, or a key that does not fit the algorithms, naming the file.
/// The secret is never echoed.
enum JWTSettingsParser {
    static let knownKeys: Set<String> = ["algorithms", "secret", "publicKeyFile", "audience", "issuer", "leewaySeconds"]
    /// Largest leeway accepted: five minutes.
    static let maxLeewaySeconds = 300

    static func parse(_ jwt: YAMLValue, warnings: inout [String]) throws(ConfigurationError) -> JWTSettings {
        let keys = try jwt.mapping()
        keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
        guard let algorithmsValue = keys["algorithms"] else {
            throw jwt.missingChild("algorithms").error("is required: a list of HS256, RS256 or ES256")
        }
        var settings = JWTSettings(algorithms: try algorithms(algorithmsValue))
        let needsSecret = settings.algorithms.contains(.hs256)
        let keyAlgorithms = settings.algorithms.subtracting([.hs256])
        if let secret = keys["secret"] {
            settings.secret = try self.secret(secret)
            if !needsSecret {
                warnings.append(secret.warning("has no effect: only HS256 uses a secret, and algorithms does not list it"))
            }
        } else if needsSecret {
            throw jwt.missingChild("secret").error(
                "is required by HS256: a shared secret of at least \(JWTSettings.minimumSecretLength) bytes"
            )
        }
        if let file = keys["publicKeyFile"] {
            let key = try publicKey(file, path: try file.nonEmptyString(), jwt: jwt)
            if keyAlgorithms.isEmpty {
                warnings.append(file.warning("has no effect: only RS256 and ES256 use a public key, and algorithms lists neither"))
            } else if keyAlgorithms != [key.algorithm] {
                let listed = keyAlgorithms.sorted().map(\.rawValue).joined(separator: " and ")
                throw file.error("holds an \(key); it verifies \(key.algorithm.rawValue) only, and algorithms lists \(listed)")
            }
            settings.publicKey = key
        } else if let algorithm = keyAlgorithms.sorted().first {
            throw jwt.missingChild("publicKeyFile").error(
                "is required by \(algorithm.rawValue): a PEM file with the public key that verifies the tokens"
            )
        }
        if let audience = keys["audience"] {
            settings.audience = try audience.nonEmptyString()
        }
        if let issuer = keys["issuer"] {
            settings.issuer = try issuer.nonEmptyString()
        }
        if let leeway = keys["leewaySeconds"] {
            settings.leewaySeconds = try leeway.integer(in: 0...maxLeewaySeconds, "a number of seconds from 0 to \(maxLeewaySeconds)")
        }
        return settings
    }

    private static func algorithms(_ value: YAMLValue) throws(ConfigurationError) -> Set<JWTAlgorithm> {
        let names = try value.sequence()
        guard !names.isEmpty else {
            throw value.error("must list at least one of HS256, RS256, ES256")
        }
        var algorithms: Set<JWTAlgorithm> = []
        for name in names {
            let text = try name.nonEmptyString()
            guard let algorithm = JWTAlgorithm(rawValue: text) else {
                if text.lowercased() == "none" {
                    throw name.error("none is never accepted: an unsigned token proves nothing")
                }
                throw name.error("must be HS256, RS256 or ES256")
            }
            algorithms.insert(algorithm)
        }
        return algorithms
    }

    private static func secret(_ value: YAMLValue) throws(ConfigurationError) -> JWTSecret {
        let text = try value.secret()
        guard text.utf8.count >= JWTSettings.minimumSecretLength else {
            throw value.error(
                "is too short (\(text.utf8.count) bytes, at least \(JWTSettings.minimumSecretLength) required for HS256); "
                    + "the value is not shown here"
            )
        }
        return JWTSecret(text)
    }

    /// The key in the PEM file at `path`, resolved like the TLS files: relative to the file `jwt` was read from.
    private static func publicKey(_ file: YAMLValue, path: String, jwt: YAMLValue) throws(ConfigurationError) -> JWTPublicKey {
        let resolved = TLSSettingsParser.resolve(path, against: jwt.file)
        guard let contents = FileManager.default.contents(atPath: resolved) else {
            throw file.error("\(resolved): cannot be read (missing, or not readable by Herald's user)")
        }
        do {
            return try JWTPublicKey(pem: Array(contents))
        } catch {
            throw file.error("\(resolved): \(error)")
        }
    }
}
