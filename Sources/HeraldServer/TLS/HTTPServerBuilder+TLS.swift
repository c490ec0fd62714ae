public import EngineIO
public import HummingbirdCore

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS with Engine.IO WebSocket upgrades handled by `server`; each connection is served the
    /// certificate `store` holds when it is accepted.
    public static func engineIO(_ server: EngineServer, tls store: TLSContextStore) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            TLSServerChannel(EngineIOChannel(server: server, responder: responder), store: store)
        }
    }
}
