import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOWebSocket

extension EngineIOChannel {
    /// Builds, on the calling thread, the generic type metadata every connection's pipeline needs (the HTTP decoder
    /// and encoder, the typed upgrade handler, the WebSocket upgrader and the async channel of plain HTTP), by
    /// configuring an in-memory channel the way ``setup(channel:logger:)`` configures a real one.
    ///
    /// Without it the first connections build that metadata on several event loops at once, and the Swift runtime
    /// (6.3.1 on Linux) crashed doing so under a connection storm right after start: a null metadata record while
    /// resolving `ByteToMessageHandler<HTTPRequestDecoder>` from its mangled name on two threads at once. Running it
    /// once before the server accepts anything costs one in-memory channel.
    static func prepareTypeMetadata() {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(nil) },
            upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededFuture(.websocket(channel)) }
        )
        let upgrades = NIOTypedHTTPServerUpgradeConfiguration<UpgradeResult>(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(.websocket(channel)) }
        )
        _ = try? channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
            configuration: NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrades)
        )
        _ = try? NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(wrappingChannelSynchronously: EmbeddedChannel())
    }
}
