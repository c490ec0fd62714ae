/// Why a Socket.IO packet was rejected.
public enum SocketProtocolError: Error, Hashable, CustomStringConvertible {
    case emptyPacket
    case unknownPacketType(Character)
    case invalidAckID
    case invalidAttachmentCount
    case tooManyAttachments(limit: Int)
    case invalidJSON(JSONParseError)
    case invalidPayload(String)
    /// A binary message arrived while no binary packet was waiting for attachments.
    case unexpectedAttachment
    /// A text packet arrived while a binary packet still waited for attachments.
    case attachmentsExpected

    public var description: String {
        switch self {
        case .emptyPacket: "empty packet"
        case .unknownPacketType(let type): "unknown packet type '\(type)'"
        case .invalidAckID: "invalid ack id"
        case .invalidAttachmentCount: "invalid attachment count"
        case .tooManyAttachments(let limit): "more than \(limit) attachments"
        case .invalidJSON(let error): "invalid JSON: \(error)"
        case .invalidPayload(let reason): "invalid payload: \(reason)"
        case .unexpectedAttachment: "binary attachment without a binary packet"
        case .attachmentsExpected: "text packet while attachments were expected"
        }
    }
}
