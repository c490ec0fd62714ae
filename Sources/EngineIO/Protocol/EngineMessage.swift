public import NIOCore

/// An application message carried by an Engine.IO `message` packet: text or bytes.
public enum EngineMessage: Sendable, Hashable {
    case text(String)
    case binary(ByteBuffer)
}
