public import Herald
import NIOConcurrencyHelpers
import NIOSSL

/// The identity new TLS connections are served with, swapped by a SIGHUP reload.
///
/// Each connection takes the current context once, when it is accepted, and keeps it: a reload changes what new
/// connections see and never touches connections already open (their WebSockets stay up). One lock read per
/// accepted connection; nothing on the message path.
public final class TLSContextStore: Sendable {
    private let identity: NIOLockedValueBox<TLSIdentity>

    /// Reads the identity named by `settings`; throws when it cannot be served.
    public init(settings: TLSSettings) throws(TLSIdentityError) {
        identity = NIOLockedValueBox(try TLSIdentity.load(settings))
    }

    /// The identity served to new connections.
    public var current: TLSIdentity {
        identity.withLockedValue { $0 }
    }

    /// The context a connection accepted now gets.
    var context: NIOSSLContext {
        identity.withLockedValue { $0.context }
    }

    /// Reads the same files again and serves them to new connections; when they cannot be served the running identity
    /// is kept and the error thrown.
    @discardableResult
    public func reload() throws(TLSIdentityError) -> TLSIdentity {
        let settings = current.settings
        let fresh = try TLSIdentity.load(settings)
        identity.withLockedValue { $0 = fresh }
        return fresh
    }
}
