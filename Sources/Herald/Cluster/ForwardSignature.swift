import COpenSSL

/// The marker an instance puts on a request it forwards to the instance holding the request's session:
/// `X-Herald-Forwarded: <expiry ms> <client address or -> <HMAC-SHA256 hex>`, the MAC over the expiry, the method,
/// the request target and the client's address under the cluster's shared secret (`cluster.secret`).
///
/// The receiving instance trusts the client's address it names (for its policy and limits) and never forwards the
/// request again only when the MAC checks out and the expiry has not passed; any other value is a forgery.
public struct ForwardSignature: Sendable {
    /// The header's name.
    public static let headerName = "X-Herald-Forwarded"
    /// How long a marker is accepted after it was made (covers clock skew between instances).
    public static let validity: Int64 = 30_000
    private let secret: [UInt8]

    /// Signs and checks with `secret`.
    public init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    /// The header value for a request forwarded now (`nowMilliseconds`, Unix time).
    public func sign(method: String, target: String, clientAddress: String?, nowMilliseconds: Int64) -> String {
        let expiry = nowMilliseconds + Self.validity
        let address = clientAddress ?? "-"
        let mac = Self.hex(hmac(Self.input(expiry: expiry, method: method, target: target, address: address)))
        return "\(expiry) \(address) \(mac)"
    }

    /// A marker that checked out: the request came from an instance sharing the secret.
    public struct Verified: Sendable, Hashable {
        /// The client's address the forwarding instance saw, nil when it named none.
        public var clientAddress: String?

        /// A verified marker naming `clientAddress`.
        public init(clientAddress: String?) {
            self.clientAddress = clientAddress
        }
    }

    /// What a valid marker vouches for, or nil when `value` is no valid marker.
    public func verify(_ value: String, method: String, target: String, nowMilliseconds: Int64) -> Verified? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, let expiry = Int64(parts[0]), expiry >= nowMilliseconds,
            expiry <= nowMilliseconds + 2 * Self.validity, parts[2].utf8.count == 64
        else { return nil }
        let address = String(parts[1])
        let expected = Self.hex(hmac(Self.input(expiry: expiry, method: method, target: target, address: address)))
        guard ConstantTime.equals(String(parts[2]), expected) else { return nil }
        return Verified(clientAddress: address == "-" ? nil : address)
    }

    private static func input(expiry: Int64, method: String, target: String, address: String) -> [UInt8] {
        Array("\(expiry)\n\(method)\n\(target)\n\(address)".utf8)
    }

    private func hmac(_ input: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        secret.withUnsafeBytes { key in
            input.withUnsafeBytes { data in
                _ = HMAC(
                    EVP_sha256(),
                    key.baseAddress,
                    Int32(key.count),
                    data.bindMemory(to: UInt8.self).baseAddress,
                    data.count,
                    &mac,
                    &length
                )
            }
        }
        ERR_clear_error()
        return Array(mac.prefix(Int(length)))
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
