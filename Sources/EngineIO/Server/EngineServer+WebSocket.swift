import HTTPTypes
import NIOCore
import NIOHTTP1

/// What becomes of an upgrade request for a session this server may not hold.
enum ForeignUpgrade {
    /// Refused before anything else (a forged forwarding marker).
    case refuse(EngineRefusal)
    /// Spliced to the owner once its tunnel opens; nil when it did not (the session is unknown).
    case forward(EventLoopFuture<OpenedTunnel?>)
}

extension EngineServer {
    /// Whether the upgrade `head` is forwarded to another instance (its `sid` is not here, it comes from a client)
    /// or refused (a forged marker); nil when it is handled here as always.
    func foreignUpgrade(head: HTTPRequestHead, remoteAddress: String?, channel: any Channel) -> ForeignUpgrade? {
        guard let forwarding = sessionForwarding else { return nil }
        let (path, query) = QueryString.split(target: head.uri)
        guard matches(path: path) else { return nil }
        let headers = HTTPFields(head.headers)
        switch forwarding.origin(method: HTTPRequest.Method(rawValue: head.method.rawValue) ?? .get, target: head.uri, headers: headers) {
        case .forged: return .refuse(.forbidden(message: "Forwarded request not signed by an instance"))
        case .instance: return nil
        case .client: break
        }
        guard let sid = query["sid"], registry.lookup(sid) == nil else { return nil }
        let client = clientAddress(peer: remoteAddress, headers: headers)
        let loop = channel.eventLoop
        let opened = loop.makePromise(of: OpenedTunnel?.self)
        opened.completeWithTask {
            guard let target = await forwarding.upgradeTarget(for: head, sessionID: sid, clientAddress: client) else { return nil }
            return try await UpgradeTunnel.open(target, on: loop).get()
        }
        return .forward(opened.futureResult)
    }

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
