/// `maxSendsPerSecond` of every site, as `POST /send` consults it: ``SiteSendLimiter`` on a single instance, a token
/// bucket shared through Redis (with a small local lease) when several instances share one.
public protocol SiteSendRate: Sendable {
    /// Takes `messages` tokens of `site`'s rate; always granted on a site without `maxSendsPerSecond`.
    func consume(_ messages: Int, for site: Site) async -> RateDecision
    /// Forgets the state of sites no longer served.
    func retain(sites: [String])
}
