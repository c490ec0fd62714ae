/// One extension offered in a `Sec-WebSocket-Extensions` request header (RFC 6455 section 9.1): its name and
/// parameters, quoted values unquoted.
struct WebSocketExtensionOffer: Sendable, Hashable {
    struct Parameter: Sendable, Hashable {
        let name: String
        let value: String?
    }

    let name: String
    let parameters: [Parameter]

    /// The offers of all `values` (several header lines read as one comma-separated list), in order. An offer that
    /// breaks the grammar is left out: reading resumes after the next comma.
    static func parse(_ values: [String]) -> [WebSocketExtensionOffer] {
        values.flatMap { value in
            var scanner = Scanner(Array(value.utf8))
            var offers: [WebSocketExtensionOffer] = []
            while true {
                switch scanner.offer() {
                case .end:
                    return offers
                case .offer(let offer):
                    offers.append(offer)
                    _ = scanner.skipSeparator(",")
                case .malformed:
                    scanner.skipPastComma()
                }
            }
        }
    }

    private enum ScannedOffer {
        case offer(WebSocketExtensionOffer)
        case malformed
        case end
    }

    /// Reads the extension grammar over a header value's bytes.
    private struct Scanner {
        private let bytes: [UInt8]
        private var index = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        /// The next offer, up to (not including) the comma that ends it.
        mutating func offer() -> ScannedOffer {
            skipWhitespace()
            guard index < bytes.count else { return .end }
            guard let name = token() else { return .malformed }
            var parameters: [Parameter] = []
            while skipSeparator(";") {
                skipWhitespace()
                guard let parameterName = token() else { return .malformed }
                var value: String?
                if skipSeparator("=") {
                    skipWhitespace()
                    guard let parameterValue = quotedString() ?? token() else { return .malformed }
                    value = parameterValue
                }
                parameters.append(Parameter(name: parameterName.lowercased(), value: value))
            }
            skipWhitespace()
            guard index == bytes.count || bytes[index] == UInt8(ascii: ",") else { return .malformed }
            return .offer(WebSocketExtensionOffer(name: name.lowercased(), parameters: parameters))
        }

        /// Skips what is left of a malformed offer and the comma after it.
        mutating func skipPastComma() {
            while index < bytes.count, bytes[index] != UInt8(ascii: ",") {
                index += 1
            }
            index = min(index + 1, bytes.count)
        }

        /// Skips whitespace, `separator` and whitespace; false (nothing skipped but whitespace) if `separator` is not next.
        mutating func skipSeparator(_ separator: Unicode.Scalar) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: separator) else { return false }
            index += 1
            return true
        }

        private mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                index += 1
            }
        }

        private mutating func token() -> String? {
            let start = index
            while index < bytes.count, Self.isTokenCharacter(bytes[index]) {
                index += 1
            }
            guard index > start else { return nil }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// A quoted string's content, backslash escapes resolved; nil (and nothing read) when none starts here, nil
        /// too when it is unterminated or its content is no token (RFC 6455 section 9.1).
        private mutating func quotedString() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            var position = index + 1
            var content: [UInt8] = []
            while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                if bytes[position] == UInt8(ascii: "\\") { position += 1 }
                guard position < bytes.count else { return nil }
                content.append(bytes[position])
                position += 1
            }
            guard position < bytes.count, !content.isEmpty, content.allSatisfy(Self.isTokenCharacter) else { return nil }
            index = position + 1
            return String(decoding: content, as: UTF8.self)
        }

        /// RFC 7230 `tchar`.
        private static func isTokenCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
