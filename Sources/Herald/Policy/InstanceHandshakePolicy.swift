public import EngineIO
public import HTTPTypes

/// Herald's ``HandshakePolicy``, asked by every client transport before a session opens: the client's address
/// behind `trustedProxies`, the global `allowFrom` / `denyFrom` (403 "Address not allowed"), then
/// `io.maxConnectionsPerSecond` (503). A denied client takes nothing from the connection rate.
public struct InstanceHandshakePolicy: HandshakePolicy {
    /// The message of a handshake refused for its address, globally (403) or by a site (`CONNECT_ERROR`).
    public static let addressNotAllowed = "Address not allowed"

    private let resolver: ClientAddressResolver
    private let addresses: AddressPolicy
    private let rate: ConnectionRateLimiter?

    /// The policy of `settings`, with the instance's connection rate limiter if one is set.
    public init(settings: ConnectionPolicySettings, rate: ConnectionRateLimiter?) {
        resolver = ClientAddressResolver(trustedProxies: settings.trustedProxies)
        addresses = settings.addresses
        self.rate = rate
    }

    public func clientAddress(peer: String?, headers: HTTPFields) -> String? {
        resolver.clientAddress(peer: peer, headers: headers)
    }

    public func admitHandshake(from clientAddress: String?) -> HandshakeAdmission {
        guard addresses.permits(text: clientAddress) else {
            return .forbid(message: Self.addressNotAllowed)
        }
        return rate?.admitHandshake() ?? .admit
    }
}
