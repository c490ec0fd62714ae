import HTTPTypes
public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// A Hummingbird child channel that serves HTTP/1.1 and upgrades Engine.IO WebSocket requests itself.
///
/// Upgraded connections get a plain SwiftNIO pipeline (frame decoder, aggregator, ``WebSocketTransportHandler``)
/// instead of an async-sequence bridge, so broadcast writes reach the socket without a task hop per message, and
/// no task waits for them: on graceful shutdown call ``EngineServer/closeAllSessions()``, which closes every
/// WebSocket with code 1001 (going away).
public struct EngineIOChannel: ServerChildChannel, HTTPChannelHandler {
    /// Outcome of the upgrade negotiation on one connection.
    public enum UpgradeResult: Sendable {
        case websocket(any Channel)
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// The upgrade was refused; the request is consumed, so the error is answered here.
        case refusedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, EngineRefusal)
    }

    /// The negotiated connection.
    public struct Value: ServerChildChannelValue {
        let result: EventLoopFuture<UpgradeResult>
        public let channel: any Channel
    }

    public let responder: HTTPChannelHandler.Responder
    private let server: EngineServer
    private let http: HTTP1Channel.Configuration

    /// Creates the channel for `server`; other HTTP requests go to `responder`.
    public init(server: EngineServer, http: HTTP1Channel.Configuration = .init(), responder: @escaping HTTPChannelHandler.Responder) {
        self.server = server
        self.http = http
        self.responder = responder
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let server = self.server
            let limit = server.configuration.maxOutboundBufferBytes
            try channel.syncOptions?.setOption(
                .writeBufferWaterMark,
                value: .init(low: limit / 2, high: limit)
            )
            // The channel keeps its last receive buffer for the next read: start small, so an idle WebSocket holds
            // 512 bytes instead of SwiftNIO's default 2 KiB (reads still grow the buffer when they fill it).
            try channel.syncOptions?.setOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536)
            )
            let remoteAddress = channel.remoteAddress?.ipAddress
            let refusal = NIOLoopBoundBox<EngineRefusal?>(nil, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: WebSocketTransportHandler.frameSizeCeiling(maxPayload: server.configuration.maxPayload),
                shouldUpgrade: { channel, head in
                    do throws(EngineError) {
                        let binding = try server.webSocketBinding(for: head, remoteAddress: remoteAddress)
                        if case .newSession = binding, let busy = server.handshakeRefusal() {
                            refusal.value = busy
                            return channel.eventLoop.makeSucceededFuture(nil)
                        }
                        return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
                    } catch {
                        refusal.value = EngineRefusal(error)
                        return channel.eventLoop.makeSucceededFuture(nil)
                    }
                },
                upgradePipelineHandler: { channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        let binding = try server.webSocketBinding(for: head, remoteAddress: remoteAddress)
                        try channel.pipeline.syncOperations.addHandler(
                            NIOWebSocketFrameAggregator(
                                minNonFinalFragmentSize: 0,
                                maxAccumulatedFrameCount: 4096,
                                maxAccumulatedFrameSize: server.configuration.maxPayload
                            )
                        )
                        try channel.pipeline.syncOperations.addHandler(
                            WebSocketTransportHandler(
                                binding: binding,
                                maxPayload: server.configuration.maxPayload,
                                coalescer: server.flushCoalescers.coalescer(for: channel.eventLoop)
                            )
                        )
                        return UpgradeResult.websocket(channel)
                    }
                }
            )
            let http = self.http
            let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandlers(http.additionalChannelHandlers())
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: http.idleTimeout.map { .init($0) }, logger: logger)
                        )
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true)
                        )
                        if let error = refusal.value {
                            return UpgradeResult.refusedUpgrade(asyncChannel, error)
                        }
                        return UpgradeResult.http(asyncChannel)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            configuration.decoderConfiguration.maxHeaderFieldSize = http.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http.httpDecoder.maxHeaderFieldCount
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(result: result, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.result.get() {
            case .http(let asyncChannel):
                await handleHTTP(asyncChannel: asyncChannel, logger: logger)
            case .refusedUpgrade(let asyncChannel, let refusal):
                try await asyncChannel.executeThenClose { _, outbound in
                    let body = ByteBuffer(string: refusal.body)
                    var head = HTTPResponse(status: refusal.status, headerFields: refusal.headers())
                    head.headerFields[.contentLength] = String(body.readableBytes)
                    head.headerFields[.connection] = "close"
                    try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
                }
            case .websocket:
                // The connection now lives in its SwiftNIO pipeline alone: keeping a task per WebSocket until it
                // closes would cost ~3 KiB per idle client. `EngineServer.closeAllSessions()` ends them on shutdown.
                return
            }
        } catch {
            logger.debug("Connection ended during upgrade", metadata: ["error": "\(error)"])
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with Engine.IO WebSocket upgrades handled by `server`.
    public static func engineIO(_ server: EngineServer, http: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EngineIOChannel(server: server, http: http, responder: responder)
        }
    }
}
