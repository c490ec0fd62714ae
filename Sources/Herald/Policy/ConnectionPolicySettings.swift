/// The instance's connection policy from `config.yml`: which proxies are believed about client addresses, which
/// addresses may connect to any site, and the default `maxAuthAttemptsPerMinute` of sites that set none.
public struct ConnectionPolicySettings: Sendable, Hashable {
    /// Proxies whose `X-Forwarded-For` names the client (`trustedProxies`); empty: the TCP peer is the client.
    public var trustedProxies: [CIDR]
    /// `allowFrom` / `denyFrom` for every site, checked before any session opens (403).
    public var addresses: AddressPolicy
    /// Handshakes per minute one address may make that reach a site's authentication, for sites without their own
    /// `maxAuthAttemptsPerMinute`; nil: no limit.
    public var maxAuthAttemptsPerMinute: Int?

    /// Creates the settings; the defaults believe no proxy, allow every address and set no attempt limit.
    public init(trustedProxies: [CIDR] = [], addresses: AddressPolicy = AddressPolicy(), maxAuthAttemptsPerMinute: Int? = nil) {
        self.trustedProxies = trustedProxies
        self.addresses = addresses
        self.maxAuthAttemptsPerMinute = maxAuthAttemptsPerMinute
    }
}
