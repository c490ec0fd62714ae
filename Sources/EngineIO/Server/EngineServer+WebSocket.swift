import HTTPTypes
import NIOCore
import NIOHTTP1

extension EngineServer {
    /// Decides whether an HTTP upgrade request may become this server's WebSocket transport, and for which session.
    ///
    /// A refused upgrade is answered with the matching Engine.IO error. `remoteAddress` is the TCP peer's; a new
    /// session records the client's address as the handshake policy finds it.
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
        let headers = HTTPFields(head.headers)
        let client = clientAddress(peer: remoteAddress, headers: headers)
        let handshake = EngineHandshake(query: query, headers: headers, remoteAddress: client, url: head.uri)
        return .newSession(self, handshake, version)
    }
}
