import COpenSSL

/// Checks a JWS signature with OpenSSL's libcrypto: the only code in Herald that touches signature bytes.
///
/// Every check answers false rather than throwing: to the client a wrong signature and an unusable one are the same
/// refusal. OpenSSL's per-thread error queue is emptied after each check, so a failure here never shows up in
/// another library's error report on the same thread.
enum JWTSignatureVerifier {
    /// Whether `signature` signs `signingInput` (the token's `header.payload` text) under `algorithm` with the site's key for it.
    static func verify(
        _ signature: [UInt8],
        of signingInput: Substring.UTF8View,
        algorithm: JWTAlgorithm,
        keys: JWTSettings
    ) -> Bool {
        defer { ERR_clear_error() }
        let input = Array(signingInput)
        switch algorithm {
        case .hs256:
            guard let secret = keys.secret else { return false }
            return verifyHMAC(signature, of: input, secret: secret.bytes)
        case .rs256:
            guard let publicKey = keys.publicKey, publicKey.algorithm == .rs256 else { return false }
            return verifyDigest(signature, of: input, key: publicKey.key)
        case .es256:
            guard let publicKey = keys.publicKey, publicKey.algorithm == .es256,
                let der = derECDSASignature(fromRaw: signature)
            else { return false }
            return verifyDigest(der, of: input, key: publicKey.key)
        }
    }

    /// HMAC-SHA256 of the input, compared in constant time (`CRYPTO_memcmp`).
    private static func verifyHMAC(_ signature: [UInt8], of input: [UInt8], secret: [UInt8]) -> Bool {
        let size = 32
        guard signature.count == size else { return false }
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let computed = secret.withUnsafeBytes { key in
            input.withUnsafeBytes { data in
                HMAC(
                    EVP_sha256(),
                    key.baseAddress,
                    Int32(key.count),
                    data.bindMemory(to: UInt8.self).baseAddress,
                    data.count,
                    &mac,
                    &length
                )
                    != nil
            }
        }
        guard computed, length == size else { return false }
        return CRYPTO_memcmp(mac, signature, size) == 0
    }

    /// A SHA-256 signature check through `EVP_DigestVerify`: PKCS#1 v1.5 for an RSA key, DER ECDSA for an EC key.
    private static func verifyDigest(_ signature: [UInt8], of input: [UInt8], key: OpaquePointer) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, input, input.count) == 1
    }

    /// The DER `ECDSA-Sig-Value` of a JWS ES256 signature, which is `r` and `s` as 32 big-endian bytes each
    /// (RFC 7518 §3.4); nil when it is not 64 bytes.
    private static func derECDSASignature(fromRaw raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64, let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        let (r, s) = raw.withUnsafeBufferPointer { bytes in
            (BN_bin2bn(bytes.baseAddress, 32, nil), BN_bin2bn(bytes.baseAddress! + 32, 32, nil))
        }
        guard let r, let s, ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_ECDSA_SIG(signature, &cursor)
        }
        return der
    }
}
