import HTTPTypes
import NIOCore
import NIOHTTP1

extension EngineServer {
    /// Decides whether an HTTP upgrade request may become this server's WebSocket transport, and for which session.
    ///
    /// A refused upgrade is answered with the matching Engine.IO error.
    func webSocketBinding(for head: HTTPRequestHead, remoteAddress: String?) throws(EngineError) -> WebSocketTransportHandler.Binding {
        let (path, query) = QueryString.split(target: head.uri)
        guard matches(path: path) else { throw .badRequest }
        let version = try protocolVersion(query["EIO"])
        guard query["transport"] == EngineTransportKind.websocket.rawValue, configuration.transports.contains(.websocket) else {
            throw .unknownTransport
        }
        if let sid = query["sid"] {
            guard let session = registry.lookup(sid) else { throw .unknownSessionID }
            guard session.version == version else { throw .badRequest }
            return .existing(session)
        }
        let handshake = EngineHandshake(query: query, headers: HTTPFields(head.headers), remoteAddress: remoteAddress, url: head.uri)
        return .newSession(self, handshake, version)
    }
}
