/// The Lua scripts behind ``RedisPresenceStore``, one per operation, so each runs atomically on the Redis server.
///
/// Key layout (site, room, user and device escaped `%` → `%25`, `:` → `%3A`):
///
/// | key | type | holds |
/// |---|---|---|
/// | `herald:{site}:pr:<room>` | hash | `<user>:<device>` → its sockets in the room on all instances, or `l<token>` while its leave is pending |
/// | `herald:prinst:<instance>` | hash | `<site>:<room>:<user>:<device>` → the instance's sockets of that device in the room, or `l<token>` for a pending leave whose timer runs there |
///
/// Every command is O(1) per room touched; reaping walks the dead instance's hash once.
enum RedisPresenceScripts {
    private static let prelude = """
        local function esc(s) return (string.gsub(string.gsub(s, '%%', '%%25'), ':', '%%3A')) end
        local P, I, SITE = ARGV[1], ARGV[2], ARGV[3]
        local M = esc(ARGV[4]) .. ':' .. esc(ARGV[5])
        local function roomKey(room) return P .. 'pr:' .. esc(room) end
        local function held(room) return esc(SITE) .. ':' .. esc(room) .. ':' .. M end

        """

    /// ARGV: site key prefix (`herald:{site}:`), instance hash key, site, user, device, instances set key, instance
    /// ID, instance liveness key, liveness TTL (ms), rooms…. Returns the rooms the device was not in before (neither
    /// a socket nor a pending leave). Lists the instance with a liveness key if missing, so it is reaped even if it
    /// dies before its first heartbeat.
    static let arrive = RedisScript(
        prelude + """
            redis.call('SADD', ARGV[6], ARGV[7])
            redis.call('SET', ARGV[8], '1', 'PX', ARGV[9], 'NX')
            local arrived = {}
            for i = 10, #ARGV do
              local room = ARGV[i]
              local current = redis.call('HGET', roomKey(room), M)
              if not current then table.insert(arrived, room) end
              redis.call('HSET', roomKey(room), M, (tonumber(current) or 0) + 1)
              redis.call('HSET', I, held(room), (tonumber(redis.call('HGET', I, held(room))) or 0) + 1)
            end
            return arrived
            """
    )

    /// ARGV: site key prefix, instance hash key, site, user, device, leave token, rooms…. Returns the rooms where the
    /// device's last socket left: their leave is pending under the token, held by this instance.
    static let depart = RedisScript(
        prelude + """
            local pending = {}
            local leave = 'l' .. ARGV[6]
            for i = 7, #ARGV do
              local room = ARGV[i]
              local total = tonumber(redis.call('HGET', roomKey(room), M))
              local mine = tonumber(redis.call('HGET', I, held(room)))
              if total and mine then
                if total <= 1 then
                  redis.call('HSET', roomKey(room), M, leave)
                  redis.call('HSET', I, held(room), leave)
                  table.insert(pending, room)
                else
                  redis.call('HSET', roomKey(room), M, total - 1)
                  if mine <= 1 then redis.call('HDEL', I, held(room)) else redis.call('HSET', I, held(room), mine - 1) end
                end
              end
            end
            return pending
            """
    )

    /// ARGV: site key prefix, instance hash key, site, user, device, leave token, rooms…. Returns the rooms the device
    /// left: those where its leave is still the one named by the token.
    static let expire = RedisScript(
        prelude + """
            local left = {}
            local leave = 'l' .. ARGV[6]
            for i = 7, #ARGV do
              local room = ARGV[i]
              if redis.call('HGET', roomKey(room), M) == leave then
                redis.call('HDEL', roomKey(room), M)
                table.insert(left, room)
              end
              if redis.call('HGET', I, held(room)) == leave then redis.call('HDEL', I, held(room)) end
            end
            return left
            """
    )

    /// ARGV: key prefix (`herald`), the dead instance's hash key. Takes the instance's sockets out of each room and
    /// settles its pending leaves; deletes its hash. Returns `[site, room, user, device]` (escaped) per member gone.
    static let reap = RedisScript(
        """
        local entries = redis.call('HGETALL', ARGV[2])
        local gone = {}
        local function unesc(s) return (string.gsub(string.gsub(s, '%%3A', ':'), '%%25', '%%')) end
        for i = 1, #entries, 2 do
          local s, room, u, d = string.match(entries[i], '^([^:]*):([^:]*):([^:]*):([^:]*)$')
          if s then
            local key = ARGV[1] .. ':{' .. unesc(s) .. '}:pr:' .. room
            local member = u .. ':' .. d
            local current = redis.call('HGET', key, member)
            local mine = tonumber(entries[i + 1])
            local total = tonumber(current)
            local removed = false
            if mine then
              if total then
                if total <= mine then removed = true else redis.call('HSET', key, member, total - mine) end
              end
            elseif current == entries[i + 1] then
              removed = true
            end
            if removed then
              redis.call('HDEL', key, member)
              table.insert(gone, {s, room, u, d})
            end
          end
        end
        redis.call('DEL', ARGV[2])
        return gone
        """
    )
}
