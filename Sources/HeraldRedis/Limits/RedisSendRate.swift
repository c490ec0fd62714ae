public import Herald
import Logging
import NIOConcurrencyHelpers

/// `maxSendsPerSecond` across the instances sharing one Redis: one token bucket per site in Redis
/// (``RedisLimitScripts/takeSendTokens``), from which each instance takes what a send needs plus a small lease
/// (``LeaseSize``) that later sends spend without asking Redis.
///
/// Every token spent was taken from the shared bucket, so the cluster never sends more than the bucket allows; a
/// leased token may only be spent later than it was taken, at most one lease per instance. When Redis does not
/// answer, sends are limited by this instance's own bucket (``SiteSendLimiter``), as without Redis.
public final class RedisSendRate: SiteSendRate {
    private struct SiteTokens {
        var rate: Int
        var tokens = 0
    }

    private let client: RedisClient
    private let keyPrefix: String
    private let size: LeaseSize
    private let fallback: SiteSendLimiter
    private let logger: Logger
    private let sites = NIOLockedValueBox<[String: SiteTokens]>([:])

    init(client: RedisClient, keyPrefix: String, size: LeaseSize, fallback: SiteSendLimiter, logger: Logger) {
        self.client = client
        self.keyPrefix = keyPrefix
        self.size = size
        self.fallback = fallback
        self.logger = logger
    }

    public func consume(_ messages: Int, for site: Site) async -> RateDecision {
        guard let rate = site.limits.maxSendsPerSecond else { return .granted }
        let needed = sites.withLockedValue { sites -> Int in
            var entry = sites[site.name].flatMap { $0.rate == rate ? $0 : nil } ?? SiteTokens(rate: rate)
            defer { sites[site.name] = entry }
            guard entry.tokens >= messages else { return messages - entry.tokens }
            entry.tokens -= messages
            return 0
        }
        guard needed > 0 else { return .granted }
        let reply: RedisValue
        do {
            reply = try await client.run(
                RedisLimitScripts.takeSendTokens,
                keys: [RedisLimitScripts.sendBucketKey(prefix: keyPrefix, site: site.name)],
                arguments: ["\(rate)", "\(needed)", "\(size.lease(for: rate) - 1)"]
            )
        } catch {
            logger.warning(
                "send rate not shared: \(error); maxSendsPerSecond counts this instance only meanwhile",
                metadata: ["site": "\(site.name)"]
            )
            return fallback.consume(messages, for: site)
        }
        let taken = reply.array?.first?.int ?? 0
        let retryAfter = reply.array?.dropFirst().first?.int ?? 1
        return sites.withLockedValue { sites in
            var entry = sites[site.name].flatMap { $0.rate == rate ? $0 : nil } ?? SiteTokens(rate: rate)
            defer { sites[site.name] = entry }
            entry.tokens += taken
            guard taken > 0, entry.tokens >= messages else { return .refused(retryAfterSeconds: max(1, retryAfter)) }
            entry.tokens -= messages
            return .granted
        }
    }

    public func retain(sites names: [String]) {
        let kept = Set(names)
        sites.withLockedValue { sites in sites = sites.filter { kept.contains($0.key) } }
        fallback.retain(sites: names)
    }
}
