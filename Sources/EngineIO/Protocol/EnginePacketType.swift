/// The packet type digit that starts every Engine.IO packet.
public enum EnginePacketType: UInt8, Sendable {
    case open = 0
    case close = 1
    case ping = 2
    case pong = 3
    case message = 4
    case upgrade = 5
    case noop = 6

    /// The type as an ASCII digit, as written in text packets.
    var asciiDigit: UInt8 { UInt8(ascii: "0") + rawValue }

    /// Reads a type from its ASCII digit.
    init?(asciiDigit: UInt8) {
        guard asciiDigit >= UInt8(ascii: "0") else { return nil }
        self.init(rawValue: asciiDigit &- UInt8(ascii: "0"))
    }
}
