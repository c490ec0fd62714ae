import ArgumentParser
import NIOCore

/// The protocol every bench client of a run speaks (`--client`): Socket.IO over WebSocket, Herald's plain WebSocket
/// JSON, or Server-Sent Events. All of them join, count and time bench events the same way.
enum ClientProtocol: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Engine.IO v4 / Socket.IO v5 over WebSocket at `/socket.io/`.
    case socketio
    /// Plain WebSocket JSON at `/ws/<site>`.
    case websocketJSON = "websocket-json"
    /// Server-Sent Events at `/sse/<site>`.
    case sse

    /// The handler that owns one client connection's byte stream in this protocol.
    func makeHandler(identity: ClientIdentity, recorder: LoopRecorder, join: JoinSignal) -> any ChannelHandler {
        switch self {
        case .socketio:
            WebSocketClientHandler<SocketIODialect>(identity: identity, recorder: recorder, join: join)
        case .websocketJSON:
            WebSocketClientHandler<PlainJSONDialect>(identity: identity, recorder: recorder, join: join)
        case .sse:
            EventStreamClientHandler(identity: identity, recorder: recorder, join: join)
        }
    }
}
