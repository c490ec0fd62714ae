public import HTTPTypes
public import Hummingbird
public import NIOHTTP1

/// Where a request to the Engine.IO endpoint comes from, as ``SessionForwarding`` reads its headers.
public enum ForwardOrigin: Sendable, Equatable {
    /// A client (the request carries no forwarding marker).
    case client
    /// Another instance of the cluster forwarded it on behalf of the client at `clientAddress` (the marker checked).
    case instance(clientAddress: String?)
    /// It carries a forwarding marker that does not authenticate: refused, never forwarded again.
    case forged
}

/// Sessions of several servers behind one load balancer without sticky sessions: where each polling session lives,
/// and how a request for a session of another instance reaches it.
///
/// Set with ``EngineServer/setSessionForwarding(_:)``. Without it a request for an unknown `sid` is answered
/// 400 "Session ID unknown", as by a single server.
public protocol SessionForwarding: Sendable {
    /// Records that a polling session opened here; awaited before the handshake is answered, so the client's next
    /// request finds the record whichever instance it reaches.
    func sessionOpened(id: String) async

    /// Forgets the record of a session that closed here.
    func sessionClosed(id: String)

    /// Whether `headers` mark a request forwarded by another instance, and whether that marker authenticates.
    func origin(method: HTTPRequest.Method, target: String, headers: HTTPFields) -> ForwardOrigin

    /// Sends a polling request for `sessionID`, which this server does not hold, to the instance that does and
    /// returns its answer; nil when no live instance holds it (the client is told the session is unknown).
    func forward(_ request: Request, sessionID: String, clientAddress: String?) async -> Response?

    /// Where a WebSocket upgrade `head` for `sessionID`, which this server does not hold, goes: the owner's address
    /// and the request to replay there (signed); nil when no live instance holds it.
    func upgradeTarget(for head: HTTPRequestHead, sessionID: String, clientAddress: String?) async -> UpgradeTarget?
}
