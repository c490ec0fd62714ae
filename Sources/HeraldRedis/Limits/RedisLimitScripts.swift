/// The Lua scripts of the cluster-wide site limits. Each touches one key, declared in `KEYS` and carrying the site's
/// hash tag (`herald:{<site>}:…`), so it runs on Redis Cluster; each reads the time from Redis (`TIME`), so the
/// instances' clocks never meet.
enum RedisLimitScripts {
    /// The key of `site`'s connection leases: a hash, one field per instance holding `<slots>:<expires ms>`.
    static func connectionLeasesKey(prefix: String, site: String) -> String {
        "\(prefix):{\(site)}:connlease"
    }

    /// The key of `site`'s shared send token bucket: a hash of `t` (tokens), `ts` (last refill, ms), `r` (rate).
    static func sendBucketKey(prefix: String, site: String) -> String {
        "\(prefix):{\(site)}:sendrate"
    }

    /// Changes one instance's lease of a site's connection slots. `KEYS[1]`: the site's lease hash; `ARGV`: mode
    /// (`take`, `give` or `set`), instance, amount, `maxConnections`, lease lifetime (ms).
    ///
    /// Expired leases (an instance that stopped renewing) are dropped first. `take` grants up to `amount` slots, as
    /// many as keep the sum of every live lease within `maxConnections`; `give` returns `amount`; `set` makes the
    /// instance's lease exactly `amount` (renewal, or 0 to release it). Every write extends the lease's lifetime.
    /// Answers `{granted, sum of live leases}`.
    static let connectionLease = RedisScript(
        """
        local now = redis.call('TIME')
        local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local fields = redis.call('HGETALL', KEYS[1])
        local others, mine = 0, 0
        for i = 1, #fields, 2 do
          local slots, expires = string.match(fields[i + 1], '^(%d+):(%d+)$')
          slots = tonumber(slots)
          expires = tonumber(expires)
          if slots == nil or expires <= ms then
            redis.call('HDEL', KEYS[1], fields[i])
          elseif fields[i] == ARGV[2] then
            mine = slots
          else
            others = others + slots
          end
        end
        local amount = tonumber(ARGV[3])
        local limit = tonumber(ARGV[4])
        local ttl = tonumber(ARGV[5])
        local granted = 0
        if ARGV[1] == 'take' then
          granted = math.max(0, math.min(amount, limit - others - mine))
          mine = mine + granted
        elseif ARGV[1] == 'give' then
          mine = math.max(0, mine - amount)
        else
          mine = amount
        end
        if mine > 0 then
          redis.call('HSET', KEYS[1], ARGV[2], string.format('%d:%d', mine, ms + ttl))
          redis.call('PEXPIRE', KEYS[1], ttl)
        else
          redis.call('HDEL', KEYS[1], ARGV[2])
        end
        return {granted, others + mine}
        """
    )

    /// Takes tokens from a site's shared bucket, which holds one second's worth and refills at the rate.
    /// `KEYS[1]`: the bucket; `ARGV`: rate per second, tokens needed now, extra tokens wanted as a lease.
    ///
    /// When the bucket holds what is needed (or, for a batch larger than the bucket, when it is full: the batch goes
    /// and leaves the bucket in debt, as on one instance), takes it plus up to the extra, never more than it holds.
    /// Answers `{tokens taken, 0}`, or `{0, seconds until enough}` when it does not hold enough.
    static let takeSendTokens = RedisScript(
        """
        local rate = tonumber(ARGV[1])
        local need = tonumber(ARGV[2])
        local extra = tonumber(ARGV[3])
        local now = redis.call('TIME')
        local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 't', 'ts', 'r')
        local tokens = tonumber(state[1])
        local at = tonumber(state[2])
        if tokens == nil or at == nil or tonumber(state[3]) ~= rate then
          tokens = rate
          at = ms
        end
        if ms > at then
          tokens = math.min(rate, tokens + (ms - at) * rate / 1000)
          at = ms
        end
        local required = math.min(need, rate)
        if tokens < required then
          redis.call('HSET', KEYS[1], 't', string.format('%.6f', tokens), 'ts', string.format('%d', at), 'r', rate)
          redis.call('PEXPIRE', KEYS[1], 2000)
          return {0, math.max(1, math.ceil((required - tokens) / rate))}
        end
        local taken = need + math.max(0, math.min(extra, math.floor(tokens - need)))
        tokens = tokens - taken
        redis.call('HSET', KEYS[1], 't', string.format('%.6f', tokens), 'ts', string.format('%d', at), 'r', rate)
        redis.call('PEXPIRE', KEYS[1], 2000 + math.max(0, math.ceil(-tokens * 1000 / rate)))
        return {taken, 0}
        """
    )
}
