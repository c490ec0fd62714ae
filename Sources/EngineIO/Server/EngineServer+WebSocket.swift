import HTTPTypes
import NIOCore
import NIOHTTP1

extension EngineServer {
    /// Decides whether an HTTP upgrade request may become this server's WebSocket transport, and for which session.
    ///
    /// Returns nil when the request is not for us or is invalid; the request then falls through to the HTTP path,
    /// which answers with the matching Engine.IO error.
    func webSocketBinding(for head: HTTPRequestHead, remoteAddress: String?) -> WebSocketTransportHandler.Binding? {
        let (path, query) = QueryString.split(target: head.uri)
        guard matches(path: path),
            configuration.transports.contains(.websocket),
            query["transport"] == EngineTransportKind.websocket.rawValue,
            let version = try? protocolVersion(query["EIO"])
        else { return nil }
        if let sid = query["sid"] {
            guard let session = registry.lookup(sid), session.version == version else { return nil }
            return .existing(session)
        }
        var headers = HTTPFields()
        for (name, value) in head.headers {
            if let fieldName = HTTPField.Name(name) {
                headers.append(HTTPField(name: fieldName, value: value))
            }
        }
        let handshake = EngineHandshake(query: query, headers: headers, remoteAddress: remoteAddress, url: head.uri)
        return .newSession(self, handshake, version)
    }
}
