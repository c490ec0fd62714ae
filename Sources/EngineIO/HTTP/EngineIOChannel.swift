import HTTPTypes
public import HummingbirdCore
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// A Hummingbird child channel that serves HTTP/1.1 and upgrades WebSocket requests itself: Engine.IO's, and those
/// of any other ``WebSocketEndpoint`` it is given (asked in order; the first that takes the path gets the request).
///
/// Any request of a keep-alive connection may upgrade: the first through SwiftNIO's typed upgrader, later ones
/// through ``HTTPConnectionGuard``, which also times out connections that never finish a request.
/// Upgraded connections get a plain SwiftNIO pipeline (frame decoder, aggregator, ``WebSocketTransportHandler``)
/// instead of an async-sequence bridge, so broadcast writes reach the socket without a task hop per message, and
/// no task waits for them: on graceful shutdown call ``EngineServer/closeAllSessions()``, which closes every
/// WebSocket with code 1001 (going away).
public struct EngineIOChannel: ServerChildChannel, HTTPChannelHandler {
    /// Outcome of the upgrade negotiation on one connection.
    public enum UpgradeResult: Sendable {
        case websocket(any Channel)
        /// Plain HTTP; a refused upgrade is answered by ``HTTPConnectionGuard``, which also upgrades later requests.
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    /// The negotiated connection.
    public struct Value: ServerChildChannelValue {
        let result: EventLoopFuture<UpgradeResult>
        public let channel: any Channel
    }

    public let responder: HTTPChannelHandler.Responder
    private let server: EngineServer
    private let endpoints: [any WebSocketEndpoint]
    private let http: HTTP1Channel.Configuration

    /// Creates the channel for `server`; WebSocket requests go to the first of `endpoints` that takes their path
    /// (by default Engine.IO's alone), other HTTP requests to `responder`. `server` also sets the connection's
    /// timeouts and counts its closures, whether or not Engine.IO is among the endpoints.
    public init(
        server: EngineServer,
        endpoints: [any WebSocketEndpoint]? = nil,
        http: HTTP1Channel.Configuration = .init(),
        responder: @escaping HTTPChannelHandler.Responder
    ) {
        self.server = server
        self.endpoints = endpoints ?? [server.webSocketEndpoint]
        self.http = http
        self.responder = responder
        Self.typeMetadataPrepared.withLockedValue { prepared in
            guard !prepared else { return }
            Self.prepareTypeMetadata()
            prepared = true
        }
    }

    /// Whether ``prepareTypeMetadata()`` ran in this process (once is enough).
    private static let typeMetadataPrepared = NIOLockedValueBox(false)

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let server = self.server
            let endpoints = self.endpoints
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
            let upgrade = EngineWebSocketUpgrade(
                server: server,
                endpoints: endpoints,
                remoteAddress: channel.remoteAddress?.ipAddress,
                eventLoop: channel.eventLoop
            )
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: upgrade.maxFrameSize,
                enableAutomaticErrorHandling: false,
                shouldUpgrade: { channel, head in upgrade.shouldUpgrade(channel: channel, head: head) },
                upgradePipelineHandler: { channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        // The guard sits after the upgrader and would get the client's first frames as HTTP parts.
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.removeHandler(context: pipeline.context(handlerType: HTTPConnectionGuard.self), promise: nil)
                        try upgrade.addTransportHandlers(to: pipeline, head: head, position: .last)
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
            try channel.pipeline.syncOperations.addHandler(HTTPConnectionGuard(upgrade: upgrade))
            return Value(result: result, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.result.get() {
            case .http(let asyncChannel):
                await handleHTTP(asyncChannel: asyncChannel, logger: logger)
            case .websocket:
                // The connection now lives in its SwiftNIO pipeline alone: keeping a task per WebSocket until it
                // closes would cost ~3 KiB per idle client. `EngineServer.closeAllSessions()` ends them on shutdown.
                // (A WebSocket upgraded on a later request of a keep-alive connection does keep the HTTP task above,
                // idle, until it closes: Hummingbird's request loop cannot hand its connection over.)
                return
            }
        } catch {
            logger.debug("Connection ended during upgrade", metadata: ["error": "\(error)"])
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with WebSocket upgrades handled by `endpoints` (by default Engine.IO's alone, served by `server`).
    public static func engineIO(
        _ server: EngineServer,
        endpoints: [any WebSocketEndpoint]? = nil,
        http: HTTP1Channel.Configuration = .init()
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EngineIOChannel(server: server, endpoints: endpoints, http: http, responder: responder)
        }
    }
}
