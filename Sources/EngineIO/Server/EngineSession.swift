public import NIOCore
import NIOWebSocket

/// One Engine.IO session: a client identified by its session ID, across polling requests and a WebSocket.
///
/// All state is owned by `eventLoop`; public methods may be called from anywhere and hop there when needed,
/// the delegate is always called on it.
public final class EngineSession: @unchecked Sendable {
    /// Session ID, as sent in the handshake.
    public let id: String
    /// Negotiated protocol revision.
    public let version: EngineProtocolVersion
    /// The event loop that owns this session.
    public let eventLoop: any EventLoop
    /// What the client presented when the session opened.
    public let handshake: EngineHandshake
    /// Receives messages and the close. Set it on `eventLoop`, in the server's open handler.
    public var delegate: (any EngineSessionDelegate)?

    let configuration: EngineConfiguration
    private let registry: SessionRegistry
    private let allocator = ByteBufferAllocator()
    private var phase: Phase
    private var heartbeat: Scheduled<Void>?
    private var deadline: Scheduled<Void>?
    private var upgradeDeadline: Scheduled<Void>?
    /// While the client switches to the WebSocket it answered the probe on: releases each waiting GET with a noop.
    private var upgradeNoops: RepeatedTask?
    /// How often a GET that waits during the switch is released, as the reference server does.
    static let upgradeNoopInterval: TimeAmount = .milliseconds(100)

    private enum Phase {
        case polling(PollingTransport)
        /// A WebSocket with this session's ID is attached (the only one the session accepts); polling still carries
        /// traffic until the client probes it and sends `upgrade`.
        case upgrading(PollingTransport, WebSocketLink)
        case websocket(WebSocketLink)
        /// Closed while polling: the close packet waits for the client's next GET.
        case closing(PollingTransport)
        case closed
    }

    init(
        id: String,
        version: EngineProtocolVersion,
        eventLoop: any EventLoop,
        handshake: EngineHandshake,
        configuration: EngineConfiguration,
        registry: SessionRegistry,
        transport: InitialTransport
    ) {
        self.id = id
        self.version = version
        self.eventLoop = eventLoop
        self.handshake = handshake
        self.configuration = configuration
        self.registry = registry
        switch transport {
        case .polling(let supportsBinary):
            self.phase = .polling(
                PollingTransport(
                    version: version,
                    supportsBinary: supportsBinary,
                    maxPacketsPerResponse: configuration.maxPacketsPerPoll
                )
            )
        case .websocket(let link):
            self.phase = .websocket(link)
        }
    }

    enum InitialTransport {
        case polling(supportsBinary: Bool)
        case websocket(WebSocketLink)
    }

    /// Name of the transport in use: `polling` or `websocket`.
    public var transportName: String {
        eventLoop.preconditionInEventLoop()
        if case .websocket = phase { return EngineTransportKind.websocket.rawValue }
        return EngineTransportKind.polling.rawValue
    }

    /// Whether the session has ended.
    public var isClosed: Bool {
        eventLoop.preconditionInEventLoop()
        switch phase {
        case .closed, .closing: return true
        default: return false
        }
    }

    /// Packets waiting for the client's next polling GET (0 on a WebSocket); read on `eventLoop`.
    var pollingQueueCount: Int {
        eventLoop.preconditionInEventLoop()
        switch phase {
        case .polling(let polling), .upgrading(let polling, _), .closing(let polling): return polling.queue.count
        case .websocket, .closed: return 0
        }
    }

    /// Whether a long-polling GET is waiting for packets: what a test or a diagnostic needs to know before it sends
    /// something that must find the GET parked.
    public func hasWaitingPoll() -> EventLoopFuture<Bool> {
        eventLoop.submit { [self] in
            switch phase {
            case .polling(let polling), .upgrading(let polling, _), .closing(let polling): polling.hasPendingGet
            case .websocket, .closed: false
            }
        }
    }

    // MARK: Sending

    /// Sends a message to the client, compressed as `compression` says if its WebSocket agreed to permessage-deflate.
    public func send(_ message: EngineMessage, compression: MessageCompression? = nil) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.send(message, compression: compression) }
            return
        }
        sendPacket(.message(message), compression: compression)
    }

    /// Sends a message encoded once for many sessions; must be called on `eventLoop` (the broadcast fast path). With
    /// `compression`, a WebSocket that agreed to permessage-deflate gets the message's compressed frame, made once
    /// for all such recipients.
    public func send(prepared: PreparedEngineMessage, compression: MessageCompression? = nil) {
        eventLoop.preconditionInEventLoop()
        switch phase {
        case .websocket(let link):
            link.write(encodedFrame: link.frame(of: prepared, version: version, compression: compression))
        case .polling(let polling), .upgrading(let polling, _):
            enqueue(.message(prepared.message), on: polling)
        case .closing, .closed:
            break
        }
    }

    /// Closes the session from the server side; the client is told, the delegate hears `reason`.
    public func close(reason: EngineCloseReason = .forcedClose) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.terminate(reason) }
            return
        }
        terminate(reason)
    }

    /// Closes the session because the server is shutting down, so that every stock client reconnects (to another
    /// instance behind a load balancer): a WebSocket client gets close code 1001 (going away); a polling client's
    /// waiting GET gets what is queued (or a noop) and its next request a 400. Not a close packet: python-socketio
    /// takes one as final and never reconnects.
    func closeForShutdown() {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.terminate(.forcedClose, webSocketCode: .goingAway, forShutdown: true) }
            return
        }
        terminate(.forcedClose, webSocketCode: .goingAway, forShutdown: true)
    }

    func sendPacket(_ packet: EnginePacket, compression: MessageCompression? = nil) {
        switch phase {
        case .websocket(let link):
            let frame = EnginePacketCodec.encodeWebSocketFrame(packet, version: version, allocator: allocator)
            link.write(frame.payload, isBinary: frame.isBinary, compression: compression, allocator: allocator)
        case .polling(let polling), .upgrading(let polling, _):
            enqueue(packet, on: polling)
        case .closing, .closed:
            break
        }
    }

    private func enqueue(_ packet: EnginePacket, on polling: PollingTransport) {
        if polling.enqueue(packet) > configuration.maxOutboundBufferBytes {
            close(reason: .transportError("client too slow: outbound buffer full"))
            return
        }
        polling.flush(allocator: allocator)
    }

    // MARK: Opening

    /// Starts the heartbeat and queues (polling) or writes (WebSocket) the open packet.
    func open(openHandler: (EngineSession) -> Void) {
        eventLoop.preconditionInEventLoop()
        sendPacket(.open(handshakeJSON()))
        switch version {
        case .v4: scheduleHeartbeat()
        case .v3: resetDeadline()
        }
        openHandler(self)
    }

    private func handshakeJSON() -> String {
        let upgrades = configuration.transports.contains(.websocket) && !isWebSocket ? #"["websocket"]"# : "[]"
        let interval = configuration.pingInterval.nanoseconds / 1_000_000
        let timeout = configuration.pingTimeout.nanoseconds / 1_000_000
        var json = #"{"sid":"\#(id)","upgrades":\#(upgrades),"pingInterval":\#(interval),"pingTimeout":\#(timeout)"#
        if version == .v4 { json += #","maxPayload":\#(configuration.maxPayload)"# }
        return json + "}"
    }

    private var isWebSocket: Bool {
        if case .websocket = phase { return true }
        return false
    }

    // MARK: Heartbeat

    /// v4: the server pings every `pingInterval` and expects the pong within `pingTimeout`.
    private func scheduleHeartbeat() {
        heartbeat = eventLoop.scheduleTask(in: configuration.pingInterval) { [self] in
            sendPacket(.ping(""))
            deadline?.cancel()
            deadline = eventLoop.scheduleTask(in: configuration.pingTimeout) { [self] in
                abort(.pingTimeout)
            }
        }
    }

    /// v3: the client pings; any packet proves it alive for another `pingInterval + pingTimeout`.
    private func resetDeadline() {
        deadline?.cancel()
        deadline = eventLoop.scheduleTask(in: configuration.pingInterval + configuration.pingTimeout) { [self] in
            abort(.pingTimeout)
        }
    }

    // MARK: Receiving

    /// Handles one packet from the client, from whichever transport carried it.
    ///
    /// Packets from a WebSocket the session has not accepted (see ``attach(upgradeCandidate:)``) are dropped: a
    /// second socket opened with this session's ID must not speak for it.
    func receive(_ packet: EnginePacket, via link: WebSocketLink?) {
        eventLoop.preconditionInEventLoop()
        if case .closed = phase { return }
        if let link, !carries(link) { return }
        if version == .v3 { resetDeadline() }
        switch packet {
        case .ping(let payload):
            if let link, payload == "probe" {
                beginUpgrade(link)
            } else if version == .v3 {
                sendPacket(.pong(payload))
            }
        case .pong:
            if version == .v4 {
                deadline?.cancel()
                deadline = nil
                scheduleHeartbeat()
            }
        case .message(let message):
            delegate?.engineSession(self, didReceive: message)
        case .upgrade:
            if let link { completeUpgrade(link) }
        case .close:
            if let link, case .upgrading(_, let candidate) = phase, candidate == link {
                abandonUpgrade(link)
                link.close(code: .normalClosure)
            } else {
                abort(.transportClose)
            }
        case .noop:
            break
        case .open:
            abort(.parseError("unexpected open packet"))
        }
    }

    /// The client's input could not be parsed: end the session at once.
    func receiveMalformed(_ error: any Error) {
        eventLoop.preconditionInEventLoop()
        abort(.parseError("\(error)"))
    }

    // MARK: Polling

    /// Answers a polling GET now or when packets arrive.
    func poll() -> EventLoopFuture<PollingResponse> {
        eventLoop.preconditionInEventLoop()
        let polling: PollingTransport
        switch phase {
        case .polling(let transport), .upgrading(let transport, _), .closing(let transport):
            polling = transport
        case .websocket, .closed:
            return eventLoop.makeFailedFuture(EngineError.badRequest)
        }
        if polling.hasPendingGet {
            abort(.transportError("overlapping polling requests"))
            return eventLoop.makeFailedFuture(EngineError.badRequest)
        }
        let promise = eventLoop.makePromise(of: PollingResponse.self)
        polling.park(promise)
        polling.flush(allocator: allocator)
        if case .closing = phase, polling.queue.isEmpty {
            finishClose()
        }
        return promise.futureResult
    }

    /// Handles a polling POST body.
    func receivePolling(body: ByteBuffer) throws(EngineError) {
        eventLoop.preconditionInEventLoop()
        switch phase {
        case .polling, .upgrading: break
        case .websocket, .closing, .closed: throw EngineError.badRequest
        }
        let packets: [EnginePacket]
        do {
            packets = try EnginePayloadCodec.decode(body, version: version)
        } catch {
            abort(.parseError(error.description))
            throw EngineError.badRequest
        }
        for packet in packets {
            receive(packet, via: nil)
        }
    }

    // MARK: Upgrade

    /// A WebSocket opened with this session's ID (from any event loop). Only a polling session that has no other
    /// WebSocket accepts it, as the reference server does; any other is closed at once, so a client holding someone
    /// else's session ID cannot take over or close a session that already upgraded. An accepted socket that does
    /// not complete the upgrade within `upgradeTimeout` is closed and the session stays on polling.
    func attach(upgradeCandidate link: WebSocketLink) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.attach(upgradeCandidate: link) }
            return
        }
        guard case .polling(let polling) = phase else {
            link.close(code: .normalClosure)
            return
        }
        phase = .upgrading(polling, link)
        upgradeDeadline = eventLoop.scheduleTask(in: configuration.upgradeTimeout) { [self] in
            abandonUpgrade(link)
            link.close(code: .normalClosure)
        }
    }

    /// Whether packets from `link` are this session's: its WebSocket, or the one attached for the upgrade.
    private func carries(_ link: WebSocketLink) -> Bool {
        switch phase {
        case .websocket(let active): active == link
        case .upgrading(_, let candidate): candidate == link
        case .polling, .closing, .closed: false
        }
    }

    /// The probe: answer it on the WebSocket and release a waiting GET with a noop, so the client can switch.
    ///
    /// The client pauses polling only once the probe's answer arrives, and then waits for its GET in flight. When
    /// the noop reached that GET first, the client polled again before it paused, and that new GET would wait for
    /// the next heartbeat, past the upgrade's deadline. So until the `upgrade` packet, a waiting GET is released
    /// with a noop every ``upgradeNoopInterval``, as the reference server does.
    private func beginUpgrade(_ link: WebSocketLink) {
        guard case .upgrading(let polling, let candidate) = phase, candidate == link else { return }
        let frame = EnginePacketCodec.encodeWebSocketFrame(.pong("probe"), version: version, allocator: allocator)
        link.write(frame.payload, isBinary: false)
        enqueue(.noop, on: polling)
        upgradeNoops?.cancel()
        upgradeNoops = eventLoop.scheduleRepeatedTask(initialDelay: Self.upgradeNoopInterval, delay: Self.upgradeNoopInterval) {
            [self] _ in
            releaseWaitingGet()
        }
    }

    /// Answers a GET waiting during the switch with a noop, so the client can finish pausing its polling.
    private func releaseWaitingGet() {
        guard case .upgrading(let polling, _) = phase, polling.hasPendingGet else { return }
        enqueue(.noop, on: polling)
    }

    private func stopUpgradeTimers() {
        upgradeDeadline?.cancel()
        upgradeDeadline = nil
        upgradeNoops?.cancel()
        upgradeNoops = nil
    }

    private func completeUpgrade(_ link: WebSocketLink) {
        guard case .upgrading(let polling, let probe) = phase, probe == link else { return }
        stopUpgradeTimers()
        let backlog = polling.handOver(allocator: allocator)
        phase = .websocket(link)
        for packet in backlog {
            sendPacket(packet)
        }
    }

    private func abandonUpgrade(_ link: WebSocketLink) {
        if case .upgrading(let polling, let probe) = phase, probe == link {
            stopUpgradeTimers()
            phase = .polling(polling)
        }
    }

    /// A WebSocket belonging to this session went away.
    func webSocketClosed(_ link: WebSocketLink) {
        eventLoop.preconditionInEventLoop()
        switch phase {
        case .upgrading(_, let probe) where probe == link:
            abandonUpgrade(link)
        case .websocket(let active) where active == link:
            close(reason: .transportClose)
        default:
            break
        }
    }

    // MARK: Closing

    /// Ends the session at once because of the client (its close packet, bad input, a missed heartbeat, overlapping
    /// GETs): unlike a server close, a polling client is not waited for. A GET already waiting is answered (a noop
    /// when the client closed, as the reference server does, else the close packet) and any later request for
    /// this session ID is refused with 400 "Session ID unknown".
    private func abort(_ reason: EngineCloseReason) {
        terminate(reason, immediately: true)
    }

    private func terminate(
        _ reason: EngineCloseReason,
        webSocketCode: WebSocketErrorCode? = nil,
        immediately: Bool = false,
        forShutdown: Bool = false
    ) {
        eventLoop.preconditionInEventLoop()
        heartbeat?.cancel()
        deadline?.cancel()
        stopUpgradeTimers()
        switch phase {
        case .closed, .closing:
            return
        case .websocket(let link):
            phase = .closed
            link.close(code: webSocketCode ?? reason.webSocketCloseCode)
            finishClose()
        case .upgrading(let polling, let probe):
            probe.close(code: forShutdown ? .goingAway : .normalClosure)
            end(polling, reason: reason, immediately: immediately, forShutdown: forShutdown)
        case .polling(let polling):
            end(polling, reason: reason, immediately: immediately, forShutdown: forShutdown)
        }
        let delegate = self.delegate
        self.delegate = nil
        delegate?.engineSession(self, didCloseWith: reason)
    }

    private func end(_ polling: PollingTransport, reason: EngineCloseReason, immediately: Bool, forShutdown: Bool) {
        if forShutdown {
            if polling.queue.isEmpty {
                _ = polling.enqueue(.noop)
            }
            polling.flush(allocator: allocator)
            finishClose()
        } else if immediately {
            polling.dismiss(answeringWith: reason == .transportClose ? .noop : .close, allocator: allocator)
            finishClose()
        } else {
            closePolling(polling)
        }
    }

    /// The close packet goes out with whatever is queued, now or on the next GET (which must come within a heartbeat).
    private func closePolling(_ polling: PollingTransport) {
        _ = polling.enqueue(.close)
        polling.flush(allocator: allocator)
        if polling.queue.isEmpty {
            phase = .closed
            finishClose()
        } else {
            phase = .closing(polling)
            deadline = eventLoop.scheduleTask(in: configuration.pingInterval + configuration.pingTimeout) { [self] in
                finishClose()
            }
        }
    }

    private func finishClose() {
        phase = .closed
        deadline?.cancel()
        deadline = nil
        registry.forget(self)
    }
}

extension EngineCloseReason {
    var webSocketCloseCode: WebSocketErrorCode {
        switch self {
        case .payloadTooLarge: .messageTooLarge
        case .parseError: .protocolError
        default: .normalClosure
        }
    }
}
