import COpenSSL
import Testing

@testable import Herald

/// Public keys are read from PEM once, checked for a usable type and size, and compared by their DER encoding.
@Suite struct JWTPublicKeyTests {
    @Test func rsaAndP256KeysAreReadWithTheirAlgorithm() throws {
        let rsa = try JWTPublicKey(pem: Array(JWTTestSigner.rsa.publicPEM.utf8))
        #expect(rsa.kind == .rsa(bits: 2048))
        #expect(rsa.algorithm == .rs256)
        let ec = try JWTPublicKey(pem: Array(JWTTestSigner.p256.publicPEM.utf8))
        #expect(ec.kind == .p256)
        #expect(ec.algorithm == .es256)
    }

    @Test func keysAreEqualWhenTheyAreTheSameKey() throws {
        let pem = Array(JWTTestSigner.rsa.publicPEM.utf8)
        #expect(try JWTPublicKey(pem: pem) == JWTPublicKey(pem: pem))
        #expect(try JWTPublicKey(pem: pem) != JWTPublicKey(pem: Array(JWTTestSigner.otherRSA.publicPEM.utf8)))
    }

    @Test func somethingOtherThanAPublicKeyIsRefused() {
        #expect(throws: JWTPublicKey.LoadError.notAPublicKey) { try JWTPublicKey(pem: Array("not a key\n".utf8)) }
        #expect(throws: JWTPublicKey.LoadError.notAPublicKey) { try JWTPublicKey(pem: []) }
    }

    @Test func aShortRSAKeyIsRefused() {
        let weak = JWTTestSigner.KeyPair(type: EVP_PKEY_RSA, bits: 1024)
        #expect(throws: JWTPublicKey.LoadError.weakRSAKey(bits: 1024)) { try JWTPublicKey(pem: Array(weak.publicPEM.utf8)) }
    }

    @Test func secretsNeverShowInDescriptions() {
        let secret = JWTSecret("0123456789abcdef0123456789abcdef")
        let settings = JWTSettings(algorithms: [.hs256], secret: secret)
        #expect(!"\(settings)".contains("0123456789"))
        #expect(!String(reflecting: secret).contains("0123456789"))
    }
}
