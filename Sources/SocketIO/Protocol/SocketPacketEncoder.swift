public import NIOCore

/// Turns a packet into wire form: one text message plus its binary attachments.
///
/// Layout: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`; the namespace is written only when it is not `/`.
public enum SocketPacketEncoder {
    /// Encodes `packet`; any `.binary` argument makes it a BINARY_EVENT or BINARY_ACK with placeholders.
    public static func encode(_ packet: SocketPacket) -> (text: String, attachments: [ByteBuffer]) {
        var payload = JSONWriter(placeholders: true)
        let type: SocketPacketType
        var ackID: Int?
        switch packet {
        case .connect(_, let body):
            type = .connect
            if let body { payload.write(body) }
        case .disconnect:
            type = .disconnect
        case .event(_, let id, let name, let arguments):
            payload.write(.array([.string(name)] + arguments))
            type = payload.attachments.isEmpty ? .event : .binaryEvent
            ackID = id
        case .ack(_, let id, let arguments):
            payload.write(.array(arguments))
            type = payload.attachments.isEmpty ? .ack : .binaryAck
            ackID = id
        case .connectError(_, let body):
            type = .connectError
            payload.write(body)
        }
        var text = String(type.rawValue)
        if !payload.attachments.isEmpty {
            text += "\(payload.attachments.count)-"
        }
        if packet.namespace != "/" {
            text += packet.namespace + ","
        }
        if let ackID {
            text += String(ackID)
        }
        text += String(decoding: payload.output, as: UTF8.self)
        return (text, payload.attachments)
    }
}
