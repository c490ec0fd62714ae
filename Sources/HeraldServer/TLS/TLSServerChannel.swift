public import HummingbirdCore
public import Logging
public import NIOCore
import NIOSSL

/// A Hummingbird child channel that puts TLS in front of another one, with the context current when the connection
/// is accepted (see ``TLSContextStore``).
///
/// Hummingbird's own `TLSChannel` holds one context for the server's lifetime; this one reads the store per
/// connection so a renewed certificate is served without a restart.
///
/// A client that opens the connection and never completes the handshake is closed by the base channel's request
/// timeout: ``EngineIOChannel`` installs `HTTPConnectionGuard` while setting the connection up, before any byte is
/// read, so its `io.requestHeaderTimeout` counts from the accept and covers the handshake (the closure is counted as
/// `header_timeout`). A failed handshake (plain HTTP, an old protocol version, no common cipher) is closed by
/// `NIOSSLServerHandler` itself.
public struct TLSServerChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value

    private let base: Base
    private let store: TLSContextStore

    /// TLS with the store's current context, then `base`.
    public init(_ base: Base, store: TLSContextStore) {
        self.base = base
        self.store = store
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = store.context
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension TLSServerChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    public var responder: HTTPChannelHandler.Responder {
        base.responder
    }
}
