/// Socket.IO protocol revision: v4 is spoken by Socket.IO 1.x/2.x clients (over Engine.IO v3), v5 by 3.x/4.x (Engine.IO v4).
public enum SocketIOProtocolVersion: Sendable, Hashable {
    case v4
    case v5
}
