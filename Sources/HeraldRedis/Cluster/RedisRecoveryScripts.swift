/// Lua scripts of connection state recovery on Redis. Keys of a site share the hash tag `{site}` (ARGV[1] is the
/// prefix `herald:{site}:`); rooms and private session IDs are escaped as in the message store. Each script runs in
/// its site's hash slot and gets the keys it can name before the call as `KEYS` (see ``RedisStoreScripts``).
///
/// | key | type | holds |
/// |---|---|---|
/// | `herald:{site}:hs` | string | the site's last offset |
/// | `herald:{site}:h:<room>` (`herald:{site}:h` for broadcasts to everyone) | stream | recorded events, entry ID `<offset>-0`, fields `t` (packet text), `r` and `x` (rooms and exceptions, JSON) |
/// | `herald:{site}:hl:<room>` | string | highest offset trimmed out of that room's stream |
/// | `herald:{site}:csr:<pid>` | string | a session: JSON `{"s": sid, "r": rooms, "i": instance, "w": window ms}`, plus `"g": true` once its connection is gone (then it expires after the window) |
/// | `herald:{site}:csrinst:<instance>` | hash | pid → `1` for every live session of the site an instance holds, for the reaper |
enum RedisRecoveryScripts {
    private static let prelude = """
        local P = ARGV[1]
        local function esc(s) return (string.gsub(string.gsub(s, '%%', '%%25'), ':', '%%3A')) end
        local function suffixes(rooms)
          if #rooms == 0 then return {''} end
          local list = {}
          for i, room in ipairs(rooms) do list[i] = ':' .. esc(room) end
          return list
        end

        """

    /// KEYS: `hs`, then `h` and `hl` of each of the event's rooms (of the site-wide stream without rooms). ARGV:
    /// prefix, packet text, rooms JSON, exceptions JSON, events kept per room, retention (ms), channel, cluster
    /// message JSON, publish command (`PUBLISH`; `SPUBLISH` with a `{site}`-tagged channel on a cluster). Gives the event the site's next offset, appends it to the stream of each of its rooms
    /// (trimmed to about the limit; what is trimmed is remembered) and publishes the message with `"q"` (the
    /// offset) added, in one step: messages reach every instance in offset order. Returns the offset.
    static let record = RedisScript(
        prelude + """
            local rooms = cjson.decode(ARGV[3])
            local limit, keep = tonumber(ARGV[5]), tonumber(ARGV[6])
            local seq = redis.call('INCR', P .. 'hs')
            local id = seq .. '-0'
            for _, suffix in ipairs(suffixes(rooms)) do
              local stream, lost = P .. 'h' .. suffix, P .. 'hl' .. suffix
              local added = redis.pcall('XADD', stream, id, 't', ARGV[2], 'r', ARGV[3], 'x', ARGV[4])
              if type(added) == 'table' and added.err then
                redis.call('DEL', stream)
                redis.call('SET', lost, seq, 'PX', keep)
              else
                if redis.call('XTRIM', stream, 'MAXLEN', '~', limit) > 0 then
                  local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1][1]
                  redis.call('SET', lost, tonumber(string.match(first, '^(%d+)')) - 1, 'PX', keep)
                end
                redis.call('PEXPIRE', stream, keep)
                redis.call('PEXPIRE', lost, keep)
              end
            end
            redis.call(ARGV[9], ARGV[7], string.sub(ARGV[8], 1, -2) .. ',"q":"' .. seq .. '"}')
            return seq
            """
    )

    /// KEYS: the session (`csr:<pid>`), the instance's sessions of the site (`csrinst:<instance>`). ARGV: prefix, pid,
    /// session JSON. Records a connected socket's session; the caller lists the instance and the site
    /// (``RedisInstanceSites``) first.
    static let track = RedisScript(
        prelude + """
            redis.call('SET', KEYS[1], ARGV[3])
            redis.call('HSET', KEYS[2], ARGV[2], '1')
            return 1
            """
    )

    /// KEYS: the session, the instance's sessions of the site. ARGV: prefix, pid, session JSON (gone), instance ID,
    /// window (ms), `1` to keep the session for the window or `0` to forget it. Only a session this instance still holds is changed: one
    /// taken over by another instance meanwhile is left alone.
    static let release = RedisScript(
        prelude + """
            local key = KEYS[1]
            redis.call('HDEL', KEYS[2], ARGV[2])
            local value = redis.call('GET', key)
            if not value then return 0 end
            local ok, session = pcall(cjson.decode, value)
            if not ok or type(session) ~= 'table' or session.i ~= ARGV[4] or session.g then return 0 end
            if ARGV[6] == '1' then
              redis.call('SET', key, ARGV[3], 'PX', ARGV[5])
            else
              redis.call('DEL', key)
            end
            return 1
            """
    )

    /// KEYS: the session, `hs`, then `hl` and `h` of the site-wide stream and of each room. ARGV: prefix, pid, offset,
    /// rooms JSON, most entries read per room. Derived, in the same slot: the holding instance's sessions of the site
    /// (`csrinst:<instance>`, named in the session). Takes the session away (nobody can take it twice) and returns `{found, last offset,
    /// complete, id1, text1, rooms1, except1, ...}`: the entries of the rooms after `offset`; `complete` is 0 when an
    /// event after it may be gone (trimmed, or more than the read limit).
    static let take = RedisScript(
        prelude + """
            local key = KEYS[1]
            local value = redis.call('GET', key)
            if not value then return {0} end
            redis.call('DEL', key)
            local ok, session = pcall(cjson.decode, value)
            if ok and type(session) == 'table' and type(session.i) == 'string' then
              redis.call('HDEL', P .. 'csrinst:' .. session.i, ARGV[2])
            end
            local last = redis.call('GET', KEYS[2]) or '0'
            local offset, count = tonumber(ARGV[3]), tonumber(ARGV[5])
            if offset > tonumber(last) then return {1, last, 0} end
            local result = {1, last, 1}
            local rooms = cjson.decode(ARGV[4])
            local searched = {''}
            for _, room in ipairs(rooms) do searched[#searched + 1] = ':' .. esc(room) end
            for _, suffix in ipairs(searched) do
              local lost = redis.call('GET', P .. 'hl' .. suffix)
              if lost and tonumber(lost) > offset then return {1, last, 0} end
              local entries = redis.call('XRANGE', P .. 'h' .. suffix, '(' .. ARGV[3] .. '-0', '+', 'COUNT', count)
              if #entries >= count then return {1, last, 0} end
              for _, entry in ipairs(entries) do
                local fields = {}
                for i = 1, #entry[2], 2 do fields[entry[2][i]] = entry[2][i + 1] end
                result[#result + 1] = entry[1]
                result[#result + 1] = fields.t or ''
                result[#result + 1] = fields.r or '[]'
                result[#result + 1] = fields.x or '[]'
              end
            end
            return result
            """
    )
}
