import ArgumentParser
import NIOCore

/// The protocol every bench client of a run speaks (`--client`): Socket.IO over WebSocket or Herald's plain
/// WebSocket JSON. Both join, count and time bench events the same way.
enum ClientProtocol: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Engine.IO v4 / Socket.IO v5 over WebSocket at `/socket.io/`.
    case socketio
    /// Plain WebSocket JSON at `/ws/<site>`.
    case websocketJSON = "websocket-json"

    /// The handler that owns one client connection's byte stream in this protocol.
    func makeHandler(identity: ClientIdentity, recorder: LoopRecorder, join: JoinSignal) -> any ChannelHandler {
        switch self {
        case .socketio:
            WebSocketClientHandler<SocketIODialect>(identity: identity, recorder: recorder, join: join)
        case .websocketJSON:
            WebSocketClientHandler<PlainJSONDialect>(identity: identity, recorder: recorder, join: join)
        }
    }
}
