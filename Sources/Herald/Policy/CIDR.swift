/// A range of addresses in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`), or one address written alone (a `/32` or
/// `/128`). Read once when the configuration loads; matching is a mask and a comparison.
///
/// A range written in IPv4-mapped IPv6 form (`::ffff:10.0.0.0/104`) is the IPv4 range it names, so it matches IPv4
/// clients whichever way their socket reports them.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range.
    public let network: IPAddress
    /// How many leading bits an address shares with ``network`` to be in the range.
    public let prefixLength: Int

    /// Why a text is no CIDR range.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The part before `/` is no IPv4 or IPv6 address.
        case invalidAddress
        /// The part after `/` is no whole number within the address's bits.
        case invalidPrefixLength(maximum: Int)
        /// The address has bits set after the prefix; `suggestion` is the range it probably means.
        case hostBitsSet(suggestion: String)

        public var description: String {
            switch self {
            case .invalidAddress:
                "is not an IPv4 or IPv6 address or range (write 192.0.2.0/24, 2001:db8::/32 or one address)"
            case .invalidPrefixLength(let maximum):
                "has a prefix length that is not a whole number from 0 to \(maximum)"
            case .hostBitsSet(let suggestion):
                "has bits set after its prefix length; did you mean \(suggestion)?"
            }
        }
    }

    /// Reads `text`: an address, or an address, `/` and a prefix length. Bits after the prefix must be zero, so a
    /// typo such as `192.168.1.1/16` is refused rather than silently widened.
    public init(parsing text: some StringProtocol) throws(ParseError) {
        let slash = text.firstIndex(of: "/")
        let addressText = slash.map { text[..<$0] } ?? text[...]
        guard addressText.utf8.count <= 45, let address = IPAddress(addressText) else { throw .invalidAddress }
        let mappedPrefix = address.isV4 && addressText.contains(":")
        let bits = mappedPrefix ? 128 : address.bitCount
        var length = bits
        if let slash {
            let digits = text[text.index(after: slash)...]
            guard !digits.isEmpty, digits.count <= 3, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let value = Int(digits), value <= bits
            else { throw .invalidPrefixLength(maximum: bits) }
            length = value
        }
        if mappedPrefix {
            // `::ffff:a.b.c.d/n` covers IPv4 only when n keeps the mapping prefix (96 bits); shorter is no IPv4 range.
            guard length >= 96 else { throw .invalidPrefixLength(maximum: 128) }
            length -= 96
        }
        let range = CIDR(network: address, prefixLength: length)
        guard range.network == address else {
            throw .hostBitsSet(suggestion: range.description)
        }
        self = range
    }

    /// The range of `prefixLength` bits around `address`, its host bits cleared.
    public init(network address: IPAddress, prefixLength: Int) {
        precondition((0...address.bitCount).contains(prefixLength), "a prefix length within the address")
        self.prefixLength = prefixLength
        switch address {
        case .v4(let value):
            network = .v4(prefixLength == 0 ? 0 : value & ~UInt32(0) << (32 - prefixLength))
        case .v6(let high, let low):
            let (highMask, lowMask) = Self.v6Mask(prefixLength)
            network = .v6(high: high & highMask, low: low & lowMask)
        }
    }

    /// Whether `address` is in the range; an IPv4 range never holds an IPv6 address, nor the reverse.
    public func contains(_ address: IPAddress) -> Bool {
        switch (network, address) {
        case (.v4(let base), .v4(let value)):
            return prefixLength == 0 || (base ^ value) >> (32 - prefixLength) == 0
        case (.v6(let baseHigh, let baseLow), .v6(let high, let low)):
            let (highMask, lowMask) = Self.v6Mask(prefixLength)
            return (baseHigh ^ high) & highMask == 0 && (baseLow ^ low) & lowMask == 0
        default:
            return false
        }
    }

    /// `network/prefixLength`.
    public var description: String {
        "\(network)/\(prefixLength)"
    }

    private static func v6Mask(_ length: Int) -> (UInt64, UInt64) {
        let high: UInt64 = length >= 64 ? ~0 : length == 0 ? 0 : ~UInt64(0) << (64 - length)
        let low: UInt64 = length <= 64 ? 0 : length >= 128 ? ~0 : ~UInt64(0) << (128 - length)
        return (high, low)
    }
}

extension IPAddress {
    /// 32 for IPv4, 128 for IPv6.
    public var bitCount: Int {
        if case .v4 = self { 32 } else { 128 }
    }

    /// Whether the address is IPv4 (an IPv4-mapped IPv6 address counts as IPv4).
    public var isV4: Bool {
        if case .v4 = self { true } else { false }
    }
}
