/// The transports clients connect over, as operators see them in metrics (`transport` label) and the admin API.
/// Every one is reported, at zero too, so a gauge falls back to 0 when its last client leaves.
public enum ClientTransport: String, Sendable, CaseIterable {
    /// Socket.IO over HTTP long-polling.
    case polling
    /// Socket.IO over a WebSocket.
    case websocket
    /// Plain WebSocket JSON (`/ws/<site>`).
    case websocketJSON = "websocket-json"
    /// Server-Sent Events (`/sse/<site>`).
    case sse
}
