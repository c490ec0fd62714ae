import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Keeps one HTTP/1.1 connection bounded in time and usable at every request boundary.
///
/// Sits between SwiftNIO's HTTP codec and Hummingbird, and
/// - closes a connection whose first request head does not arrive within `requestHeaderTimeout`, whose request
///   body stalls that long, or that sits idle between requests for `idleConnectionTimeout` (a request that has been
///   read and waits for its answer, such as a long-polling GET, is never cut: sessions have their own heartbeats);
/// - answers requests the HTTP parser refuses (431 for oversized headers, 400 otherwise) and closes;
/// - upgrades a WebSocket request (for Engine.IO or another ``WebSocketEndpoint``) that arrives on a reused keep-alive connection (the first request of a
///   connection is upgraded by SwiftNIO's typed upgrader before this handler sees it), or answers the refusal and
///   closes: SwiftNIO's HTTP parser stops at any upgrade request, so the connection could not go on anyway;
/// - closes after the answer to any other upgrade request, for the same reason;
/// - on a graceful stop (SwiftNIO's `ChannelShouldQuiesceEvent`), answers the request in progress or one that
///   arrives within ``stopGrace`` (a backend's `/send` already on its way on a kept-alive connection) with
///   `Connection: close`, then closes; an idle connection closes after the grace. Hummingbird would close an idle
///   connection at once, resetting a request the client had just written.
///
/// Every closure it decides is counted in ``EngineServer/connectionClosures``.
final class HTTPConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Phase {
        /// Before a request head; `first` on a new connection.
        case awaitingHead(first: Bool)
        /// A request's head passed on, its body still arriving.
        case readingRequest
        /// A request read in full, its answer pending.
        case awaitingResponse
        /// A WebSocket upgrade request held back (never passed to Hummingbird); `complete` once its end arrived.
        case upgradeRequested(HTTPRequestHead, complete: Bool)
        /// Answered while the request body still arrives: the output is closed, the rest is read until it ends.
        case lingering
        /// Refused an unparsable request: the output is closed, what the client still sends is dropped.
        case draining
        /// Upgraded, refused or closing: nothing left to guard.
        case done
    }

    /// How long after a graceful stop begins an idle connection may still deliver a request that will be answered.
    static let stopGrace: TimeAmount = .milliseconds(500)

    private let upgrade: EngineWebSocketUpgrade
    private let requestHeaderTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var phase = Phase.awaitingHead(first: true)
    private var pendingResponses = 0
    private var closeAfterResponse = false
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    /// A graceful stop began: every answer closes the connection, an idle one closes after ``stopGrace``.
    private var stopping = false

    init(upgrade: EngineWebSocketUpgrade) {
        self.upgrade = upgrade
        requestHeaderTimeout = upgrade.server.configuration.requestHeaderTimeout
        idleTimeout = upgrade.server.configuration.idleConnectionTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context: context, after: requestHeaderTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .done
        disarm()
        context.fireChannelInactive()
    }

    // MARK: Graceful stop

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Not passed on: Hummingbird's handler would close a connection between requests at once.
        stopping = true
        closeAfterResponse = true
        switch phase {
        case .awaitingHead:
            arm(context: context, after: Self.stopGrace)
        case .upgradeRequested:
            phase = .done
            disarm()
            context.close(promise: nil)
        case .readingRequest, .awaitingResponse, .lingering, .draining, .done:
            break
        }
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (phase, part) {
        case (.done, _), (.draining, _):
            return
        case (.upgradeRequested(let head, _), .end):
            phase = .upgradeRequested(head, complete: true)
            upgradeWhenAnswered(context: context)
        case (.upgradeRequested, _):
            return
        case (_, .head(let head)):
            receive(head: head, context: context, data: data)
        case (.awaitingHead(first: true), _):
            // The rest of a first request whose upgrade SwiftNIO's upgrader refused: it kept the head.
            refuse(context: context, upgrade.takeRefusal())
        case (.readingRequest, .body):
            deadline = .now() + requestHeaderTimeout
            context.fireChannelRead(data)
        case (.readingRequest, .end):
            phase = .awaitingResponse
            disarm()
            context.fireChannelRead(data)
        case (.lingering, .end):
            phase = .done
            context.fireChannelRead(data)
            context.close(promise: nil)
        default:
            context.fireChannelRead(data)
        }
    }

    private func receive(head: HTTPRequestHead, context: ChannelHandlerContext, data: NIOAny) {
        let upgradeKind = Self.upgradeKind(of: head)
        if upgradeKind == .webSocket {
            phase = .upgradeRequested(head, complete: false)
            arm(context: context, after: requestHeaderTimeout)
            return
        }
        if upgradeKind == .other {
            closeAfterResponse = true
        }
        pendingResponses += 1
        phase = .readingRequest
        arm(context: context, after: requestHeaderTimeout)
        context.fireChannelRead(data)
    }

    private enum UpgradeKind {
        case none, webSocket, other
    }

    /// Whether SwiftNIO's parser treats `head` as an upgrade (it then stops parsing: `Upgrade` with a `Connection`
    /// naming `upgrade`, or `CONNECT`), and whether it asks for a WebSocket.
    private static func upgradeKind(of head: HTTPRequestHead) -> UpgradeKind {
        let connection = head.headers[canonicalForm: "connection"].map { $0.lowercased() }
        let upgrades = head.headers[canonicalForm: "upgrade"].map { $0.lowercased() }
        guard head.method == .CONNECT || (!upgrades.isEmpty && connection.contains("upgrade")) else { return .none }
        return upgrades.contains("websocket") ? .webSocket : .other
    }

    // MARK: Answers

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where closeAfterResponse || isReadingRequest:
            closeAfterResponse = true
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            pendingResponses = max(0, pendingResponses - 1)
            guard pendingResponses == 0 else {
                context.write(data, promise: promise)
                return
            }
            answered(context: context, endWrite: data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    private var isReadingRequest: Bool {
        if case .readingRequest = phase { true } else { false }
    }

    private func answered(context: ChannelHandlerContext, endWrite: NIOAny, promise: EventLoopPromise<Void>?) {
        guard closeAfterResponse else {
            context.write(endWrite, promise: promise)
            switch phase {
            case .awaitingResponse:
                phase = .awaitingHead(first: false)
                arm(context: context, after: idleTimeout)
            case .upgradeRequested(_, complete: true):
                context.eventLoop.assumeIsolated().execute { self.upgradeWhenAnswered(context: context) }
            default:
                break
            }
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.cascade(to: promise)
        context.write(endWrite, promise: written)
        if isReadingRequest {
            // Closing now, with body bytes unread, would reset the connection and could destroy the answer before the
            // client reads it: close the output, read the rest until it ends, at most `requestHeaderTimeout`.
            phase = .lingering
            arm(context: context, after: requestHeaderTimeout)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(mode: .output, promise: nil) }
        } else {
            phase = .done
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    // MARK: Upgrades on a reused connection

    private func upgradeWhenAnswered(context: ChannelHandlerContext) {
        guard case .upgradeRequested(let head, complete: true) = phase, pendingResponses == 0 else { return }
        phase = .done
        disarm()
        let upgrade = self.upgrade
        let upgrader = NIOTypedWebSocketServerUpgrader<Void>(
            maxFrameSize: upgrade.maxFrameSize,
            enableAutomaticErrorHandling: false,
            shouldUpgrade: { channel, head in upgrade.shouldUpgrade(channel: channel, head: head) },
            upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededVoidFuture() }
        )
        upgrader.buildUpgradeResponse(channel: context.channel, upgradeRequest: head, initialResponseHeaders: [:])
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let headers):
                    self.switchToWebSocket(context: context, request: head, responseHeaders: headers)
                case .failure:
                    self.refuse(context: context, upgrade.takeRefusal())
                }
            }
    }

    /// Answers 101 and swaps the HTTP handlers for the WebSocket ones, as SwiftNIO's upgrader does for a first
    /// request. Hummingbird's handler stays at the end of the pipeline and ends when the socket closes.
    private func switchToWebSocket(context: ChannelHandlerContext, request: HTTPRequestHead, responseHeaders: HTTPHeaders) {
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: responseHeaders))),
            promise: nil
        )
        let pipeline = context.pipeline.syncOperations
        do {
            // The HTTP encoder sits before the decoder: it goes first, so that frames written from now on pass no HTTP
            // handler.
            pipeline.removeHandler(try pipeline.handler(type: HTTPResponseEncoder.self), promise: nil)
            let httpDecoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let frameDecoder = ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: upgrade.maxFrameSize))
            try pipeline.addHandlers([WebSocketFrameEncoder(), frameDecoder], position: .after(httpDecoder))
            try upgrade.addTransportHandlers(to: pipeline, head: request, position: .after(frameDecoder))
            // Bytes the client sent after its upgrade request go from the HTTP decoder to the frame decoder.
            pipeline.removeHandler(httpDecoder, promise: nil)
            if let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) {
                pipeline.removeHandler(codec, promise: nil)
            }
            if let state = try? pipeline.handler(type: HTTPConnectionStateHandler.self) {
                pipeline.removeHandler(state, promise: nil)
            }
            pipeline.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }

    private func refuse(context: ChannelHandlerContext, _ refusal: EngineRefusal) {
        upgrade.server.connectionClosures.record(.upgradeRefused)
        var headers = HTTPHeaders()
        for field in refusal.headers() {
            headers.add(name: field.name.rawName, value: field.value)
        }
        respondAndClose(context: context, status: .init(statusCode: Int(refusal.status.code)), body: refusal.body, headers: headers)
    }

    /// Answers and closes; with `drain`, the client's unread bytes are read and dropped for up to
    /// `requestHeaderTimeout` after the output is closed, so closing with them unread does not reset the connection
    /// before the client has read the answer.
    private func respondAndClose(
        context: ChannelHandlerContext,
        status: HTTPResponseStatus,
        body: String,
        headers: HTTPHeaders,
        drain: Bool = false
    ) {
        phase = drain ? .draining : .done
        disarm()
        var headers = headers
        let buffer = context.channel.allocator.buffer(string: body)
        headers.replaceOrAdd(name: "content-length", value: String(buffer.readableBytes))
        headers.replaceOrAdd(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        guard drain else {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        arm(context: context, after: requestHeaderTimeout)
        written.assumeIsolated().whenComplete { _ in context.close(mode: .output, promise: nil) }
    }

    // MARK: Parse errors

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .draining = phase, error is ByteToMessageDecoderError {
            return  // the bytes a refused client still sends after its bad request
        }
        if case .awaitingHead(first: true) = phase, error is NIOWebSocketUpgradeError {
            refuse(context: context, upgrade.takeRefusal())  // a first request that is no valid WebSocket handshake
            return
        }
        guard let error = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // Answered here rather than by Hummingbird, which would see the error only once its current answer is done.
        if case .done = phase { return }
        upgrade.server.connectionClosures.record(.badRequest)
        if pendingResponses > 0 || isLingering {
            phase = .done
            context.close(promise: nil)
            return
        }
        let tooLarge = error == .headerOverflow
        respondAndClose(
            context: context,
            status: tooLarge ? .requestHeaderFieldsTooLarge : .badRequest,
            body: tooLarge ? "Request header fields too large" : "Bad request",
            headers: ["content-type": "text/plain; charset=utf-8"],
            drain: true
        )
    }

    private var isLingering: Bool {
        if case .lingering = phase { true } else { false }
    }

    // MARK: Timeouts

    /// Closes the connection after `amount` unless disarmed or armed again. A later deadline reuses the scheduled
    /// task (it reschedules itself when it fires early), so a body part costs no new task.
    private func arm(context: ChannelHandlerContext, after amount: TimeAmount) {
        let when = NIODeadline.now() + amount
        deadline = when
        if let timerDeadline, timerDeadline <= when, timer != nil { return }
        timer?.cancel()
        schedule(context: context, at: when)
    }

    private func schedule(context: ChannelHandlerContext, at when: NIODeadline) {
        timerDeadline = when
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: when) {
            self.timer = nil
            self.deadlinePassed(context: context)
        }
    }

    private func disarm() {
        deadline = nil
        timer?.cancel()
        timer = nil
    }

    private func deadlinePassed(context: ChannelHandlerContext) {
        guard let deadline else { return }
        if deadline > .now() {
            schedule(context: context, at: deadline)
            return
        }
        if stopping, case .awaitingHead = phase {
            phase = .done
            self.deadline = nil
            context.close(promise: nil)
            return
        }
        let closure: ConnectionClosure
        switch phase {
        case .awaitingHead(first: true): closure = .headerTimeout
        case .awaitingHead(first: false): closure = .idleTimeout
        case .readingRequest, .lingering, .upgradeRequested: closure = .bodyTimeout
        case .draining:
            phase = .done
            context.close(promise: nil)
            return
        case .awaitingResponse, .done: return
        }
        upgrade.server.connectionClosures.record(closure)
        phase = .done
        self.deadline = nil
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension HTTPConnectionGuard: Sendable {}
