public import HTTPTypes
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix

/// An Engine.IO server: owns the sessions and hands each new one to the layer above.
///
/// Mount it on a Hummingbird application with ``EngineIOMiddleware`` (polling) and
/// `HTTPServerBuilder.engineIO(_:)` (WebSocket upgrades).
public final class EngineServer: Sendable {
    /// The server's settings.
    public let configuration: EngineConfiguration
    let registry = SessionRegistry()
    let flushCoalescers = FlushCoalescers()

    /// The coalescer of `eventLoop`'s broadcast flushes, for other WebSocket protocols served beside Engine.IO.
    public func flushCoalescer(for eventLoop: any EventLoop) -> FlushCoalescer {
        flushCoalescers.coalescer(for: eventLoop)
    }
    /// Connections this server closed on its own, by reason (timeouts, protocol violations, slow consumers).
    public let connectionClosures = ConnectionClosureCounts()
    /// Outgoing messages compressed with permessage-deflate.
    public let deflateCounters = PerMessageDeflateCounters()
    private let negotiatesDeflate = NIOLockedValueBox(false)

    /// Whether WebSocket upgrades accept a client's permessage-deflate offer (off by default). Read at each upgrade,
    /// so a reload may turn it on or off for new connections; which messages are compressed is decided per socket
    /// (``MessageCompression``).
    public var negotiatesPerMessageDeflate: Bool {
        get { negotiatesDeflate.withLockedValue { $0 } }
        set { negotiatesDeflate.withLockedValue { $0 = newValue } }
    }
    private let eventLoopGroup: any EventLoopGroup
    private let openHandler = NIOLockedValueBox<OpenHandler?>(nil)
    private let handshakePolicy = NIOLockedValueBox<(any HandshakePolicy)?>(nil)

    /// The open handler, wrapped: a bare function type read through the box's generic `inout` access comes back
    /// re-abstracted, two thunks deeper on every read, which made each new session slower than the last.
    private struct OpenHandler: Sendable {
        let body: @Sendable (EngineSession) -> Void
    }

    /// Creates a server; polling sessions are spread over `eventLoopGroup`.
    public init(
        configuration: EngineConfiguration = EngineConfiguration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
    }

    /// Sets the function that receives each new session, on the session's event loop, before any message.
    public func onOpen(_ handler: @escaping @Sendable (EngineSession) -> Void) {
        openHandler.withLockedValue { $0 = OpenHandler(body: handler) }
    }

    /// Sets the policy each handshake (polling or WebSocket, a request without `sid`) passes before a session opens:
    /// who the client is (its address behind trusted proxies) and whether it may connect now. A refused handshake is
    /// answered 503 with `Retry-After`, a forbidden one 403. Without a policy the client is its TCP peer and every
    /// handshake opens a session.
    public func setHandshakePolicy(_ policy: any HandshakePolicy) {
        handshakePolicy.withLockedValue { $0 = policy }
    }

    /// Sets how requests for sessions of other instances reach them (several instances behind a load balancer
    /// without sticky sessions); without it such a request is answered 400 "Session ID unknown".
    public func setSessionForwarding(_ forwarding: any SessionForwarding) {
        registry.forwarding.withLockedValue { $0 = forwarding }
    }

    var sessionForwarding: (any SessionForwarding)? {
        registry.forwarding.withLockedValue { $0 }
    }

    /// The address of the client behind a request from the TCP peer `peer` with `headers`, as the handshake policy
    /// finds it; other client protocols served beside Engine.IO ask it too, so every transport sees clients alike.
    public func clientAddress(peer: String?, headers: HTTPFields) -> String? {
        guard let policy = handshakePolicy.withLockedValue({ $0 }) else { return peer }
        return policy.clientAddress(peer: peer, headers: headers)
    }

    /// The refusal for a new handshake from `clientAddress` now, or nil when it may open a session; other client
    /// protocols served beside Engine.IO ask it too, so the instance's connection policy covers every kind of client.
    public func handshakeRefusal(clientAddress: String?) -> EngineRefusal? {
        guard let policy = handshakePolicy.withLockedValue({ $0 }) else { return nil }
        switch policy.admitHandshake(from: clientAddress) {
        case .admit: return nil
        case .refuse(let seconds): return .busy(retryAfterSeconds: seconds)
        case .forbid(let message): return .forbidden(message: message)
        }
    }

    /// Number of sessions currently known.
    public var sessionCount: Int { registry.count }

    /// Closes every session (graceful shutdown): clients are told (WebSockets with close code 1001, going away),
    /// delegates hear `forcedClose`.
    public func closeAllSessions() {
        for session in registry.all {
            session.closeForShutdown()
        }
    }

    /// The session with this ID, if it is still open.
    public func session(id: String) -> EngineSession? {
        registry.lookup(id)
    }

    /// Whether `path` is this server's endpoint (with or without the trailing slash).
    public func matches(path: some StringProtocol) -> Bool {
        let base = configuration.path
        return path == base || path == base.dropLast()
    }

    func makeSession(
        version: EngineProtocolVersion,
        eventLoop: any EventLoop,
        handshake: EngineHandshake,
        transport: EngineSession.InitialTransport
    ) -> EngineSession {
        let session = EngineSession(
            id: SessionID.generate(),
            version: version,
            eventLoop: eventLoop,
            handshake: handshake,
            configuration: configuration,
            registry: registry,
            transport: transport
        )
        registry.add(session)
        return session
    }

    func announce(_ session: EngineSession) {
        let handler = openHandler.withLockedValue { $0 }
        session.open { handler?.body($0) }
    }

    func openPollingSession(version: EngineProtocolVersion, handshake: EngineHandshake, supportsBinary: Bool) async throws
        -> PollingResponse
    {
        let loop = eventLoopGroup.next()
        let session = makeSession(
            version: version,
            eventLoop: loop,
            handshake: handshake,
            transport: .polling(supportsBinary: supportsBinary)
        )
        await sessionForwarding?.sessionOpened(id: session.id)
        return try await loop.flatSubmit {
            self.announce(session)
            return session.poll()
        }.get()
    }

    func openWebSocketSession(link: WebSocketLink, handshake: EngineHandshake, version: EngineProtocolVersion) -> EngineSession {
        let session = makeSession(
            version: version,
            eventLoop: link.channel.eventLoop,
            handshake: handshake,
            transport: .websocket(link)
        )
        announce(session)
        return session
    }

    /// Parses the protocol version from the `EIO` query parameter (absent means 3, as the reference server reads it).
    func protocolVersion(_ value: String?) throws(EngineError) -> EngineProtocolVersion {
        switch value {
        case "4": return .v4
        case "3", nil:
            guard configuration.allowEIO3 else { throw .unsupportedProtocolVersion }
            return .v3
        default: throw .unsupportedProtocolVersion
        }
    }
}
