public import HTTPTypes

/// Who a new client is and whether it may open a session: the seam where the layer above decides, for every client
/// transport served by this server and beside it (polling, WebSocket, other endpoints), from one place.
///
/// Set it with ``EngineServer/setHandshakePolicy(_:)``; requests of open sessions never consult it.
public protocol HandshakePolicy: Sendable {
    /// The address of the client behind a request from the TCP peer `peer` carrying `headers` (a proxy's
    /// `X-Forwarded-For`, when the policy believes it); what ``EngineHandshake/remoteAddress`` records.
    func clientAddress(peer: String?, headers: HTTPFields) -> String?

    /// Whether a handshake from `clientAddress` (as ``clientAddress(peer:headers:)`` found it) may open a session now.
    func admitHandshake(from clientAddress: String?) -> HandshakeAdmission
}
