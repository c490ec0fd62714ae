import COpenSSL

/// A public key that verifies RS256 or ES256 signatures, read once from PEM when the configuration loads.
///
/// `@unchecked Sendable`: the `EVP_PKEY` is never changed after loading, and OpenSSL 3 allows one key to be used by
/// verifications on several threads at once. Two keys are equal when their DER `SubjectPublicKeyInfo` is.
public final class JWTPublicKey: @unchecked Sendable, Hashable, CustomStringConvertible {
    /// The kind of key, which decides the one algorithm it verifies.
    public enum Kind: Sendable, Hashable {
        /// An RSA key (RS256).
        case rsa(bits: Int)
        /// An EC key on P-256 (ES256).
        case p256
    }

    /// Why a PEM text is not a usable key.
    public enum LoadError: Error, Sendable, Hashable, CustomStringConvertible {
        /// No `PUBLIC KEY` (or certificate) could be read.
        case notAPublicKey
        /// An RSA key shorter than 2048 bits.
        case weakRSAKey(bits: Int)
        /// A key of a type or curve no supported algorithm uses.
        case unsupportedKey(String)

        public var description: String {
            switch self {
            case .notAPublicKey:
                "is not a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate"
            case .weakRSAKey(let bits):
                "holds an RSA key of \(bits) bits; at least \(JWTPublicKey.minimumRSABits) are required"
            case .unsupportedKey(let type):
                "holds a key of type \(type); RS256 needs an RSA key and ES256 an EC key on P-256"
            }
        }
    }

    /// Shortest RSA key accepted (RFC 7518 §3.3).
    public static let minimumRSABits = 2048

    /// The kind of key.
    public let kind: Kind
    let key: OpaquePointer
    private let der: [UInt8]

    /// Reads the first public key (or the public key of the first certificate) in `pem`.
    public init(pem: [UInt8]) throws(LoadError) {
        defer { ERR_clear_error() }
        guard let key = Self.readKey(pem) else { throw .notAPublicKey }
        let kind: Kind
        do {
            kind = try Self.kind(of: key)
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
        self.key = key
        self.kind = kind
        self.der = Self.encoded(key)
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The algorithm this key verifies.
    public var algorithm: JWTAlgorithm {
        switch kind {
        case .rsa: .rs256
        case .p256: .es256
        }
    }

    public var description: String {
        switch kind {
        case .rsa(let bits): "RSA public key (\(bits) bits)"
        case .p256: "EC public key (P-256)"
        }
    }

    public static func == (lhs: JWTPublicKey, rhs: JWTPublicKey) -> Bool {
        lhs.der == rhs.der
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(der)
    }

    private static func readKey(_ pem: [UInt8]) -> OpaquePointer? {
        pem.withUnsafeBytes { bytes -> OpaquePointer? in
            if let key = withMemoryBIO(bytes, { PEM_read_bio_PUBKEY($0, nil, nil, nil) }) {
                return key
            }
            guard let certificate = withMemoryBIO(bytes, { PEM_read_bio_X509($0, nil, nil, nil) }) else { return nil }
            defer { X509_free(certificate) }
            return X509_get_pubkey(certificate)
        }
    }

    private static func withMemoryBIO<Result>(
        _ bytes: UnsafeRawBufferPointer,
        _ body: (OpaquePointer) -> Result?
    ) -> Result? {
        guard let base = bytes.baseAddress, let bio = BIO_new_mem_buf(base, Int32(bytes.count)) else { return nil }
        defer { BIO_free(bio) }
        return body(bio)
    }

    private static func kind(of key: OpaquePointer) throws(LoadError) -> Kind {
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA:
            let bits = Int(EVP_PKEY_get_bits(key))
            guard bits >= minimumRSABits else { throw .weakRSAKey(bits: bits) }
            return .rsa(bits: bits)
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else {
                throw .unsupportedKey("EC")
            }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard curve == "prime256v1" || curve == "P-256" else { throw .unsupportedKey("EC (\(curve))") }
            return .p256
        default:
            let name = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
            throw .unsupportedKey(name)
        }
    }

    private static func encoded(_ key: OpaquePointer) -> [UInt8] {
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { return [] }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_PUBKEY(key, &cursor)
        }
        return der
    }
}
