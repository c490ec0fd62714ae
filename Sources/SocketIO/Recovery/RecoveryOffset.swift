/// Position of an event in a namespace's history: events get increasing offsets, and each socket receives them in
/// that order. Sent to clients as a decimal string (the last argument of a recorded event).
public struct RecoveryOffset: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The sequence number.
    public let value: UInt64

    /// Wraps a sequence number.
    public init(_ value: UInt64) {
        self.value = value
    }

    /// Reads an offset a client sent back; nil unless it is a decimal number of at most 20 digits.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = UInt64(text)
        else { return nil }
        self.value = value
    }

    public var description: String { String(value) }

    public static func < (lhs: RecoveryOffset, rhs: RecoveryOffset) -> Bool { lhs.value < rhs.value }
}
