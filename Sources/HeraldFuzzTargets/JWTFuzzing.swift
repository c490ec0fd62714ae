import COpenSSL
import Foundation
import Herald

/// JWTs, which any client presents on a `jwt:` site: the compact form, and the claims behind a good signature.
enum JWTFuzzing {
    private static let secret = "fuzzing-secret-of-at-least-32-bytes"
    private static let settings = JWTSettings(algorithms: [.hs256], secret: JWTSecret(secret), audience: "herald")
    private static let now: Int64 = 1_800_000_000

    /// The first byte picks the input: even, a whole token as a client sends it (it must not verify without the
    /// secret); odd, a payload signed here with the site's secret, so the claims checks are reached. An accepted
    /// token is unexpired and grants only non-empty rooms.
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        if selector & 1 == 0 {
            if let claims = try? settings.claims(of: text, now: now) {
                preconditionFailure("a token signed by no one was accepted: \(claims)")
            }
            return
        }
        let signingInput = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + base64URL(Array(text.utf8))
        let token = signingInput + "." + base64URL(hmac(Array(signingInput.utf8)))
        guard let claims = try? settings.claims(of: token, now: now) else { return }
        precondition(claims.expiresAt + Int64(settings.leewaySeconds) > now, "an expired token was accepted: \(claims)")
        precondition(!claims.rooms.contains(""), "an empty room was granted: \(claims)")
        precondition(claims.subject?.isEmpty != true, "an empty sub was accepted: \(claims)")
    }

    private static func hmac(_ input: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let key = Array(secret.utf8)
        _ = HMAC(EVP_sha256(), key, Int32(key.count), input, input.count, &mac, &length)
        return mac
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
