import COpenSSL
import Foundation

@testable import Herald

/// Makes keys and signed tokens for the JWT tests with OpenSSL itself, so the verifier is checked against an
/// independent signer rather than against its own code.
enum JWTTestSigner {
    /// An RSA key pair (generated once per test run: 2048-bit generation is slow).
    static let rsa = KeyPair(type: EVP_PKEY_RSA, bits: 2048)
    /// Another RSA key pair, whose signatures the first key must refuse.
    static let otherRSA = KeyPair(type: EVP_PKEY_RSA, bits: 2048)
    /// An EC key pair on P-256.
    static let p256 = KeyPair(type: EVP_PKEY_EC, bits: 0)

    /// A private key and its public half as PEM.
    final class KeyPair: @unchecked Sendable {
        let key: OpaquePointer
        let publicPEM: String

        init(type: Int32, bits: Int32) {
            let context = EVP_PKEY_CTX_new_id(type, nil)!
            defer { EVP_PKEY_CTX_free(context) }
            precondition(EVP_PKEY_keygen_init(context) == 1)
            if type == EVP_PKEY_RSA {
                precondition(EVP_PKEY_CTX_set_rsa_keygen_bits(context, bits) == 1)
            } else {
                precondition(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1)
            }
            var key: OpaquePointer?
            precondition(EVP_PKEY_keygen(context, &key) == 1)
            self.key = key!
            let bio = BIO_new(BIO_s_mem())!
            defer { BIO_free(bio) }
            precondition(PEM_write_bio_PUBKEY(bio, key) == 1)
            var pem = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
            precondition(BIO_read(bio, &pem, Int32(pem.count)) == Int32(pem.count))
            publicPEM = String(decoding: pem, as: UTF8.self)
        }

        /// The public key as the verifier loads it.
        var publicKey: JWTPublicKey {
            try! JWTPublicKey(pem: Array(publicPEM.utf8))
        }

        deinit { EVP_PKEY_free(key) }
    }

    /// What signs a token.
    enum Signing {
        case hs256(secret: String)
        case rs256(KeyPair)
        case es256(KeyPair)
        /// `alg` as given and no signature at all.
        case unsigned(alg: String)
        /// The header names `alg` but the signature is made by `signing`.
        indirect case claimingAlgorithm(String, Signing)
    }

    /// A compact JWT with `claims` (JSON object text) signed by `signing`.
    static func token(_ claims: String, _ signing: Signing, header extra: String = "") -> String {
        let header = #"{"typ":"JWT","alg":"\#(algorithm(of: signing))"\#(extra)}"#
        let input = base64URL(Array(header.utf8)) + "." + base64URL(Array(claims.utf8))
        return input + "." + base64URL(signature(of: Array(input.utf8), signing))
    }

    private static func algorithm(of signing: Signing) -> String {
        switch signing {
        case .hs256: "HS256"
        case .rs256: "RS256"
        case .es256: "ES256"
        case .unsigned(let alg), .claimingAlgorithm(let alg, _): alg
        }
    }

    private static func signature(of input: [UInt8], _ signing: Signing) -> [UInt8] {
        switch signing {
        case .hs256(let secret):
            var mac = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            let key = Array(secret.utf8)
            _ = HMAC(EVP_sha256(), key, Int32(key.count), input, input.count, &mac, &length)
            return mac
        case .rs256(let pair):
            return digestSignature(of: input, key: pair.key)
        case .es256(let pair):
            return rawECDSA(digestSignature(of: input, key: pair.key))
        case .unsigned:
            return []
        case .claimingAlgorithm(_, let signing):
            return signature(of: input, signing)
        }
    }

    private static func digestSignature(of input: [UInt8], key: OpaquePointer) -> [UInt8] {
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        precondition(EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1)
        var length = 0
        precondition(EVP_DigestSign(context, nil, &length, input, input.count) == 1)
        var signature = [UInt8](repeating: 0, count: length)
        precondition(EVP_DigestSign(context, &signature, &length, input, input.count) == 1)
        return Array(signature.prefix(length))
    }

    /// The JWS form of a DER ECDSA signature: `r` and `s` as 32 big-endian bytes each.
    static func rawECDSA(_ der: [UInt8]) -> [UInt8] {
        der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let signature = d2i_ECDSA_SIG(nil, &cursor, der.count)!
            defer { ECDSA_SIG_free(signature) }
            var raw = [UInt8](repeating: 0, count: 64)
            raw.withUnsafeMutableBufferPointer { out in
                _ = BN_bn2binpad(ECDSA_SIG_get0_r(signature), out.baseAddress, 32)
                _ = BN_bn2binpad(ECDSA_SIG_get0_s(signature), out.baseAddress! + 32, 32)
            }
            return raw
        }
    }

    /// Base64url without padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
