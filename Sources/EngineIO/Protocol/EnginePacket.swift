/// One Engine.IO packet. Only `message` carries application data.
public enum EnginePacket: Sendable, Hashable {
    /// The handshake, with its JSON text.
    case open(String)
    case close
    /// Heartbeat (or the upgrade probe when the payload is `probe`).
    case ping(String)
    /// Heartbeat answer (or the probe's answer).
    case pong(String)
    case message(EngineMessage)
    /// Completes a transport upgrade.
    case upgrade
    /// Releases a parked polling request during an upgrade.
    case noop

    var type: EnginePacketType {
        switch self {
        case .open: .open
        case .close: .close
        case .ping: .ping
        case .pong: .pong
        case .message: .message
        case .upgrade: .upgrade
        case .noop: .noop
        }
    }
}
