/// A 64-bit, time-ordered message ID in the layout of the `flake-idgen` package the Node service used:
/// 42 bits of milliseconds since 1970, 5 bits datacenter, 5 bits worker, 12 bits sequence.
///
/// IDs from one generator only grow, so a device's queue ordered by ID is in send order. On the wire and in
/// storage an ID is its decimal string.
public struct FlakeID: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// The 64-bit value.
    public let rawValue: UInt64

    /// Wraps a raw value.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Parses a decimal string.
    public init?(_ description: String) {
        guard let value = UInt64(description) else { return nil }
        rawValue = value
    }

    /// Builds an ID from its fields.
    public init(milliseconds: UInt64, datacenter: Int, worker: Int, sequence: Int) {
        rawValue =
            (milliseconds & Self.timestampMask) << 22 | UInt64(datacenter & 0x1F) << 17 | UInt64(worker & 0x1F) << 12
            | UInt64(sequence & 0xFFF)
    }

    /// Milliseconds since 1970 when the ID was made.
    public var milliseconds: UInt64 { rawValue >> 22 }
    /// The datacenter field.
    public var datacenter: Int { Int(rawValue >> 17 & 0x1F) }
    /// The worker field.
    public var worker: Int { Int(rawValue >> 12 & 0x1F) }
    /// The sequence field.
    public var sequence: Int { Int(rawValue & 0xFFF) }

    public var description: String { String(rawValue) }

    /// Fixed-width (20 digit) form whose byte order is the numeric order, for sorted storage.
    public var sortKey: String {
        let digits = String(rawValue)
        return String(repeating: "0", count: 20 - digits.count) + digits
    }

    public static func < (lhs: FlakeID, rhs: FlakeID) -> Bool { lhs.rawValue < rhs.rawValue }

    static let timestampMask: UInt64 = (1 << 42) - 1
}
