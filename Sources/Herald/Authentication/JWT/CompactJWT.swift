import Foundation
import SocketIO

/// A JWS in compact serialization (`header.payload.signature`, each base64url without padding), split and decoded
/// but not trusted yet: the payload is parsed only after the signature verified.
struct CompactJWT {
    /// Longest token read: far above what a token with a user and a list of rooms needs, and small enough that a
    /// client cannot make Herald decode and hash megabytes per handshake.
    static let maxLength = 8 * 1024

    /// The JOSE header.
    let header: [String: JSONValue]
    /// `header.payload` as sent: the bytes the signature covers.
    let signingInput: Substring
    /// The decoded payload, not yet parsed.
    let payload: [UInt8]
    /// The decoded signature.
    let signature: [UInt8]

    /// Splits and decodes `token`.
    init(_ token: String) throws(JWTRejection) {
        guard token.utf8.count <= Self.maxLength else { throw .tooLong(token.utf8.count) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("not three dot-separated parts") }
        guard let headerBytes = Self.base64URLDecoded(parts[0]) else { throw .malformed("header is not base64url") }
        guard let payload = Self.base64URLDecoded(parts[1]) else { throw .malformed("payload is not base64url") }
        guard let signature = Self.base64URLDecoded(parts[2]) else { throw .malformed("signature is not base64url") }
        guard let header = Self.object(headerBytes) else { throw .malformed("header is not a JSON object") }
        self.header = header
        self.signingInput = token[parts[0].startIndex..<parts[1].endIndex]
        self.payload = payload
        self.signature = signature
    }

    /// The payload's claims; called once the signature verified.
    func claims() throws(JWTRejection) -> [String: JSONValue] {
        guard let claims = Self.object(payload) else { throw .malformed("payload is not a JSON object") }
        return claims
    }

    /// A JSON object from UTF-8 bytes, or nil.
    private static func object(_ bytes: [UInt8]) -> [String: JSONValue]? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        return (try? JSONValue(parsing: text))?.objectValue
    }

    /// Base64url without padding (RFC 7515 §2), through Foundation's decoder; nil for any other character, for
    /// padding, and for a length no encoding has.
    static func base64URLDecoded(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count % 4 != 1 else { return nil }
        var standard = ""
        standard.reserveCapacity(text.utf8.count + 2)
        for character in text.unicodeScalars {
            switch character {
            case "A"..."Z", "a"..."z", "0"..."9": standard.unicodeScalars.append(character)
            case "-": standard.append("+")
            case "_": standard.append("/")
            default: return nil
            }
        }
        standard.append(String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4))
        return Data(base64Encoded: standard).map(Array.init)
    }
}
