/// A decoded Socket.IO packet. Binary arguments appear as `.binary` values where the placeholders were; whether a
/// packet travels as BINARY_EVENT / BINARY_ACK is decided when it is encoded.
public enum SocketPacket: Sendable, Hashable {
    /// Client to server: the auth object (v5) or nothing. Server to client: `{"sid": id}` (v5) or nothing (v4).
    /// The namespace is as on the wire and may carry a v4 client's query (`/site?token=abc`).
    case connect(namespace: String, payload: JSONValue?)
    case disconnect(namespace: String)
    case event(namespace: String, ackID: Int?, name: String, arguments: [JSONValue])
    case ack(namespace: String, ackID: Int, arguments: [JSONValue])
    /// v5: `{"message": …, "data": …}`; v4 (ERROR): usually a string.
    case connectError(namespace: String, payload: JSONValue)

    /// The namespace the packet belongs to.
    public var namespace: String {
        switch self {
        case .connect(let namespace, _), .disconnect(let namespace), .event(let namespace, _, _, _),
            .ack(let namespace, _, _), .connectError(let namespace, _):
            namespace
        }
    }
}

/// The type digit of a Socket.IO packet.
enum SocketPacketType: UInt8 {
    case connect = 0
    case disconnect = 1
    case event = 2
    case ack = 3
    case connectError = 4
    case binaryEvent = 5
    case binaryAck = 6
}
