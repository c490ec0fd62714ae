/// An IPv4 or IPv6 address, read from its text once so that CIDR ranges match it with integer arithmetic.
///
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports for an IPv4 client) is read as
/// the IPv4 address it carries, so IPv4 rules match it.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address, most significant byte first.
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves, most significant first.
    case v6(high: UInt64, low: UInt64)

    /// The address written as `text`: dotted IPv4 (`192.0.2.1`, four decimal parts without leading zeros) or IPv6
    /// (RFC 4291 text, `::` compression and a trailing dotted IPv4 part allowed, no zone); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count <= 45 else { return nil }
        if let v4 = Self.parseIPv4(utf8[...]) {
            self = .v4(v4)
        } else if let (high, low) = Self.parseIPv6(utf8[...]) {
            if high == 0, low >> 32 == 0xFFFF {
                self = .v4(UInt32(truncatingIfNeeded: low))
            } else {
                self = .v6(high: high, low: low)
            }
        } else {
            return nil
        }
    }

    /// The address of one `X-Forwarded-For` entry: an address, optionally with a port as some proxies write it
    /// (`192.0.2.1:443`, `[2001:db8::1]:443`, `[2001:db8::1]`), surrounding spaces ignored.
    init?(forwardedEntry entry: Substring) {
        var text = entry.drop { $0 == " " || $0 == "\t" }
        while let last = text.last, last == " " || last == "\t" {
            text = text.dropLast()
        }
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || Self.isPort(rest.dropFirst()) && rest.first == ":" else { return nil }
            self.init(text[text.index(after: text.startIndex)..<close])
            guard case .v6 = self else { return nil }
            return
        }
        if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon {
            guard Self.isPort(text[text.index(after: colon)...]) else { return nil }
            self.init(text[..<colon])
            guard case .v4 = self else { return nil }
            return
        }
        self.init(text)
    }

    /// The address in its usual text: dotted IPv4, or IPv6 lower-cased with the longest run of zero groups
    /// compressed (RFC 5952).
    public var description: String {
        switch self {
        case .v4(let value):
            return (0..<4).map { String((value >> (24 - 8 * UInt32($0))) & 0xFF) }.joined(separator: ".")
        case .v6(let high, let low):
            let groups = (0..<8).map { index -> UInt16 in
                let half = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: half >> (48 - 16 * UInt64(index % 4)))
            }
            return Self.ipv6Text(groups)
        }
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    private static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var part: UInt32 = 0
        var digits = 0
        var leadingZero = false
        for byte in bytes {
            switch byte {
            case 0x30...0x39:
                if digits == 1 && leadingZero { return nil }
                if digits == 0 { leadingZero = byte == 0x30 }
                part = part * 10 + UInt32(byte - 0x30)
                digits += 1
                guard digits <= 3, part <= 255 else { return nil }
            case UInt8(ascii: "."):
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                (part, digits) = (0, 0)
            default:
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    private static func parseIPv6(_ bytes: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        guard bytes.count >= 2 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var compressed = false
        var rest = bytes
        if rest.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            compressed = true
            rest = rest.dropFirst(2)
        } else if rest.first == UInt8(ascii: ":") {
            return nil
        }
        while !rest.isEmpty {
            let end = rest.firstIndex(of: UInt8(ascii: ":")) ?? rest.endIndex
            let field = rest[rest.startIndex..<end]
            if end == rest.endIndex, field.contains(UInt8(ascii: ".")) {
                guard let v4 = parseIPv4(field) else { return nil }
                let groups = [UInt16(v4 >> 16), UInt16(truncatingIfNeeded: v4)]
                if compressed { tail += groups } else { head += groups }
                rest = rest[end...]
                break
            }
            guard (1...4).contains(field.count), let group = hexGroup(field) else { return nil }
            if compressed { tail.append(group) } else { head.append(group) }
            rest = rest[end...]
            guard !rest.isEmpty else { break }
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: ":") {
                guard !compressed else { return nil }
                compressed = true
                rest = rest.dropFirst()
            } else if rest.isEmpty {
                return nil
            }
        }
        let count = head.count + tail.count
        guard compressed ? count <= 7 : count == 8 else { return nil }
        let groups = head + Array(repeating: 0, count: 8 - count) + tail
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (high, low)
    }

    private static func hexGroup(_ field: ArraySlice<UInt8>) -> UInt16? {
        var value: UInt16 = 0
        for byte in field {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x61 + 10
            case 0x41...0x46: digit = byte - 0x41 + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private static func ipv6Text(_ groups: [UInt16]) -> String {
        var best: Range<Int>? = nil
        var start: Int? = nil
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                start = start ?? index
            } else if let run = start {
                if run + 1 < index, (best?.count ?? 0) < index - run {
                    best = run..<index
                }
                start = nil
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard let best else { return hex.joined(separator: ":") }
        return hex[..<best.lowerBound].joined(separator: ":") + "::" + hex[best.upperBound...].joined(separator: ":")
    }
}
