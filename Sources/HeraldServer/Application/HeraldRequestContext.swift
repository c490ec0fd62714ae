public import Hummingbird
public import NIOCore

/// The request context of Herald's router: Hummingbird's basic one plus the connection's channel, which a streamed
/// answer (Server-Sent Events) needs to follow the client's disconnect and to drop a client that stopped reading, and
/// the TCP peer's address, which Engine.IO polling handshakes record and the connection policy checks.
public struct HeraldRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The HTTP connection the request came on.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The TCP peer of the connection (a proxy's, when one is in front).
    public var remoteAddress: SocketAddress? {
        channel.remoteAddress
    }
}
