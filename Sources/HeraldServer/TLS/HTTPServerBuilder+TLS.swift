public import EngineIO
public import HummingbirdCore

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS with WebSocket upgrades handled by `endpoints` (by default Engine.IO's alone, served by
    /// `server`); each connection is served the certificate `store` holds when it is accepted.
    public static func engineIO(
        _ server: EngineServer,
        endpoints: [any WebSocketEndpoint]? = nil,
        tls store: TLSContextStore
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            TLSServerChannel(EngineIOChannel(server: server, endpoints: endpoints, responder: responder), store: store)
        }
    }
}
