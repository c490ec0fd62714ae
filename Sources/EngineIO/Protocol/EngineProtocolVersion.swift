/// Engine.IO protocol revision, negotiated by the `EIO` query parameter.
///
/// v3 is spoken by Socket.IO 1.x/2.x clients, v4 by Socket.IO 3.x/4.x.
public enum EngineProtocolVersion: Int, Sendable, Hashable {
    case v3 = 3
    case v4 = 4
}
