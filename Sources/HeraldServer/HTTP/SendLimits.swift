import Herald
import Hummingbird

/// The per-site limits `POST /send` enforces: the body size (`maxPayloadBytes`, 413) and the rate
/// (`maxSendsPerSecond`, 429 with `Retry-After`).
struct SendLimits: Sendable {
    /// Body limit of sites without `maxPayloadBytes` (`send.maxBodyBytes`).
    let defaultMaxBodyBytes: Int
    let limiter: any SiteSendRate

    /// Largest body accepted for `site`.
    func maxBodyBytes(for site: Site) -> Int {
        site.limits.maxPayloadBytes ?? defaultMaxBodyBytes
    }

    /// Takes `messages` from `site`'s send rate; nil when they may go now, else the 429 answer (nothing was sent).
    func rateRefusal(sending messages: Int, for site: Site) async -> SendReply? {
        guard case .refused(let seconds) = await limiter.consume(messages, for: site) else { return nil }
        let rate = site.limits.maxSendsPerSecond ?? 0
        return .text(
            "Too many sends: site '\(site.name)' allows \(rate) messages per second; nothing was sent. Retry after \(seconds) s.",
            status: .tooManyRequests,
            retryAfter: seconds
        )
    }
}
