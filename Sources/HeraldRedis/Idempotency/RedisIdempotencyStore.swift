public import Herald
public import Logging

/// The ``IdempotencyStore`` shared by every Herald instance on one Redis: a key is the string
/// `herald:idem:<site>:<key>`, holding `p:<token>` while its request runs (claimed with `SET NX PX`, expiring after
/// the in-flight timeout) and `r:<response JSON>` for the retention period once it finished. Claims are completed
/// and released only by the request that made them (compare-and-set scripts), so a claim that timed out and was
/// taken over is never overwritten.
public final class RedisIdempotencyStore: IdempotencyStore {
    public let retention: Duration
    private let inFlightTimeout: Duration
    private let client: RedisClient
    private let logger: Logger

    /// Creates the store on `client`.
    public init(
        client: RedisClient,
        retention: Duration = IdempotencyDefaults.retention,
        inFlightTimeout: Duration = IdempotencyDefaults.inFlightTimeout,
        logger: Logger
    ) {
        self.client = client
        self.retention = retention
        self.inFlightTimeout = inFlightTimeout
        self.logger = logger
    }

    /// The Redis key of `key`.
    static func redisKey(_ key: IdempotencyKey) -> String {
        "herald:idem:\(key.site):\(key.value)"
    }

    public func begin(_ key: IdempotencyKey) async throws(StoreError) -> IdempotencyClaim {
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let reply: RedisValue
        do {
            reply = try await client.run(
                Self.claim,
                keys: [Self.redisKey(key)],
                arguments: ["p:" + token, "\(inFlightTimeout.redisMilliseconds)"]
            )
        } catch {
            throw StoreError(error.description)
        }
        guard let value = reply.string else {
            return .started(IdempotencyTicket(key: key, token: token))
        }
        if value.hasPrefix("p:") {
            return .inFlight
        }
        guard value.hasPrefix("r:"), let response = IdempotentResponse(encoded: String(value.dropFirst(2))) else {
            throw StoreError("unreadable idempotency entry for \(key)")
        }
        return .completed(response)
    }

    public func complete(_ ticket: IdempotencyTicket, with response: IdempotentResponse) async {
        do {
            _ = try await client.run(
                Self.replaceClaim,
                keys: [Self.redisKey(ticket.key)],
                arguments: ["p:" + ticket.token, "r:" + response.encoded, "\(retention.redisMilliseconds)"]
            )
        } catch {
            logger.warning(
                "recording an idempotent answer failed: \(error); retries get 409 until the claim times out",
                metadata: ["site": "\(ticket.key.site)", "idempotencyKey": "\(ticket.key.value)"]
            )
        }
    }

    public func release(_ ticket: IdempotencyTicket) async {
        do {
            _ = try await client.run(Self.releaseClaim, keys: [Self.redisKey(ticket.key)], arguments: ["p:" + ticket.token])
        } catch {
            logger.warning(
                "releasing an idempotency claim failed: \(error); retries get 409 until the claim times out",
                metadata: ["site": "\(ticket.key.site)", "idempotencyKey": "\(ticket.key.value)"]
            )
        }
    }

    /// `SET key p:<token> NX PX <in-flight>`; on success nil, else the key's value (read in the same atomic step,
    /// so it cannot have expired in between).
    static let claim = RedisScript(
        """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
        return redis.call('GET', KEYS[1])
        """
    )

    /// Replaces the claim `ARGV[1]` with the answer `ARGV[2]` for `ARGV[3]` ms; 0 when the claim is gone.
    static let replaceClaim = RedisScript(
        """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """
    )

    /// Deletes the claim `ARGV[1]`; 0 when the claim is gone.
    static let releaseClaim = RedisScript(
        """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        return redis.call('DEL', KEYS[1])
        """
    )
}
