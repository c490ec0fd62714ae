/// The Lua scripts behind ``RedisPresenceStore``, one per operation, so each runs atomically on the Redis server.
///
/// Key layout (room, user and device escaped `%` → `%25`, `:` → `%3A`; every key of a site carries the hash tag
/// `{site}`, so each script runs in one Redis Cluster slot and gets every key it touches as `KEYS`):
///
/// | key | type | holds |
/// |---|---|---|
/// | `herald:{site}:pr:<room>` | hash | `<user>:<device>` → its sockets in the room on all instances, or `l<token>` while its leave is pending |
/// | `herald:{site}:prinst:<instance>` | hash | `<room>:<user>:<device>` → the instance's sockets of that device in the room, or `l<token>` for a pending leave whose timer runs there |
///
/// The sites an instance holds presence in are listed outside scripts (``RedisInstanceSites``). Every command is
/// O(1) per room touched; reaping walks the dead instance's hash of each site once.
enum RedisPresenceScripts {
    /// Lua shared by the two reap scripts: takes a dead instance's share `held` (its socket count, or the `l<token>`
    /// of a leave pending there) of `member` out of the room hash `key`; true when the member is gone from the room.
    private static let releaseMember = """
        local function releaseMember(key, member, held)
          local current = redis.call('HGET', key, member)
          local mine, total = tonumber(held), tonumber(current)
          local removed = false
          if mine then
            if total then
              if total <= mine then removed = true else redis.call('HSET', key, member, total - mine) end
            end
          elseif current == held then
            removed = true
          end
          if removed then redis.call('HDEL', key, member) end
          return removed
        end

        """

    private static let prelude = """
        local function esc(s) return (string.gsub(string.gsub(s, '%%', '%%25'), ':', '%%3A')) end
        local I = KEYS[1]
        local M = esc(ARGV[1]) .. ':' .. esc(ARGV[2])
        local function held(room) return esc(room) .. ':' .. M end

        """

    /// KEYS: the instance's share of the site (`prinst:<instance>`), the rooms' hashes…. ARGV: user, device, rooms…
    /// (in KEYS order). Returns the rooms the device was not in before (neither a socket nor a pending leave). The
    /// caller lists the instance and the site (``RedisInstanceSites``) first.
    static let arrive = RedisScript(
        prelude + """
            local arrived = {}
            for i = 3, #ARGV do
              local room, key = ARGV[i], KEYS[i - 1]
              local current = redis.call('HGET', key, M)
              if not current then table.insert(arrived, room) end
              redis.call('HSET', key, M, (tonumber(current) or 0) + 1)
              redis.call('HSET', I, held(room), (tonumber(redis.call('HGET', I, held(room))) or 0) + 1)
            end
            return arrived
            """
    )

    /// KEYS: the instance's share of the site, the rooms' hashes…. ARGV: user, device, leave token, rooms… (in KEYS
    /// order). Returns the rooms where the device's last socket left: their leave is pending under the token, held
    /// by this instance.
    static let depart = RedisScript(
        prelude + """
            local pending = {}
            local leave = 'l' .. ARGV[3]
            for i = 4, #ARGV do
              local room, key = ARGV[i], KEYS[i - 2]
              local total = tonumber(redis.call('HGET', key, M))
              local mine = tonumber(redis.call('HGET', I, held(room)))
              if total and mine then
                if total <= 1 then
                  redis.call('HSET', key, M, leave)
                  redis.call('HSET', I, held(room), leave)
                  table.insert(pending, room)
                else
                  redis.call('HSET', key, M, total - 1)
                  if mine <= 1 then redis.call('HDEL', I, held(room)) else redis.call('HSET', I, held(room), mine - 1) end
                end
              end
            end
            return pending
            """
    )

    /// KEYS: the instance's share of the site, the rooms' hashes…. ARGV: user, device, leave token, rooms… (in KEYS
    /// order). Returns the rooms the device left: those where its leave is still the one named by the token.
    static let expire = RedisScript(
        prelude + """
            local left = {}
            local leave = 'l' .. ARGV[3]
            for i = 4, #ARGV do
              local room, key = ARGV[i], KEYS[i - 2]
              if redis.call('HGET', key, M) == leave then
                redis.call('HDEL', key, M)
                table.insert(left, room)
              end
              if redis.call('HGET', I, held(room)) == leave then redis.call('HDEL', I, held(room)) end
            end
            return left
            """
    )

    /// KEYS: a dead instance's share of one site. ARGV: the site's key prefix (`herald:{site}:`). Derived, in the same
    /// slot: the rooms' hashes. Takes the instance's sockets out of each room of the site and settles its pending
    /// leaves; deletes its hash. Returns `[room, user, device]` (escaped) per member gone.
    static let reap = RedisScript(
        releaseMember + """
            local entries = redis.call('HGETALL', KEYS[1])
            local gone = {}
            for i = 1, #entries, 2 do
              local room, u, d = string.match(entries[i], '^([^:]*):([^:]*):([^:]*)$')
              if room then
                local key = ARGV[1] .. 'pr:' .. room
                if releaseMember(key, u .. ':' .. d, entries[i + 1]) then
                  table.insert(gone, {room, u, d})
                end
              end
            end
            redis.call('DEL', KEYS[1])
            return gone
            """
    )

    /// What ``reap`` was before instances kept their share per site: the hash `herald:prinst:<instance>` written by an
    /// instance of an older version (only on a single Redis, never on a cluster, so this script declares no keys and
    /// spans sites). Run once for a dead instance that left one, during a rolling upgrade.
    ///
    /// ARGV: key prefix (`herald`), the dead instance's hash key. Takes the instance's sockets out of each room and
    /// settles its pending leaves; deletes its hash. Returns `[site, room, user, device]` (escaped) per member gone.
    static let reapLegacy = RedisScript(
        releaseMember + """
            local entries = redis.call('HGETALL', ARGV[2])
            local gone = {}
            local function unesc(s) return (string.gsub(string.gsub(s, '%%3A', ':'), '%%25', '%%')) end
            for i = 1, #entries, 2 do
              local s, room, u, d = string.match(entries[i], '^([^:]*):([^:]*):([^:]*):([^:]*)$')
              if s then
                local key = ARGV[1] .. ':{' .. unesc(s) .. '}:pr:' .. room
                if releaseMember(key, u .. ':' .. d, entries[i + 1]) then
                  table.insert(gone, {s, room, u, d})
                end
              end
            end
            redis.call('DEL', ARGV[2])
            return gone
            """
    )
}
