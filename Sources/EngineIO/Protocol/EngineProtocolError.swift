/// Why Engine.IO input was rejected.
public enum EngineProtocolError: Error, Hashable, CustomStringConvertible {
    /// A packet with no type byte.
    case emptyPacket
    /// The type byte is not one of `0`–`6`.
    case unknownPacketType(UInt8)
    /// A `b` packet whose data is not valid base64.
    case invalidBase64
    /// The payload framing is broken.
    case invalidPayload(String)
    /// Text that is not valid UTF-8.
    case invalidUTF8
    /// More bytes than the configured limit.
    case payloadTooLarge(limit: Int)
    /// More packets in one payload than the configured limit.
    case tooManyPackets(limit: Int)

    public var description: String {
        switch self {
        case .emptyPacket: "empty packet"
        case .unknownPacketType(let byte):
            (0x20..<0x7F).contains(byte)
                ? "unknown packet type '\(Character(Unicode.Scalar(byte)))'" : "unknown packet type byte \(byte)"
        case .invalidBase64: "invalid base64 in binary packet"
        case .invalidPayload(let reason): "invalid payload: \(reason)"
        case .invalidUTF8: "text is not valid UTF-8"
        case .payloadTooLarge(let limit): "payload larger than \(limit) bytes"
        case .tooManyPackets(let limit): "more than \(limit) packets in one payload"
        }
    }
}
