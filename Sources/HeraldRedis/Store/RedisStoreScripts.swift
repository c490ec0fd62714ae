/// The Lua scripts behind ``RedisMessageStore``: each store operation is one script, so it runs atomically on the
/// Redis server and is correct with any number of Herald instances. Every command inside is O(1) or O(log n) in the
/// queue size, per device touched; no `KEYS` command, no scans.
///
/// Every script runs in one site's hash slot, so it runs on Redis Cluster: it gets as `KEYS` every key it can name
/// before the call (``RedisSiteKeys`` builds them), `KEYS[1]` first, which a cluster client routes by. Keys a script
/// can only name while it runs — an event's `qe` set, the keys of devices it evicts or forgets, the shared-room sets a
/// user leaves — are built from the same `herald:{site}:` prefix (`ARGV[1]`), so they share `KEYS[1]`'s hash tag
/// `{site}` and its slot. Nothing a script touches lies outside the site.
///
/// Key layout (all keys of a site share the hash tag `{site}`; user rooms, device IDs, rooms and events are
/// escaped with `%` → `%25`, `:` → `%3A` so names cannot collide):
///
/// | key | type | holds |
/// |---|---|---|
/// | `herald:{site}:u:<user room>:devices` | hash | device ID → `c<sockets>` (connected) or `d<ms>` (disconnected since) |
/// | `herald:{site}:u:<user room>:rooms` | set | the user's shared rooms, lower-cased |
/// | `herald:{site}:r:<shared room>` | set | user rooms whose users belong to the shared room |
/// | `herald:{site}:q:<user room>:<device>` | sorted set | queued message IDs (20-digit, all score 0: lexical = ID order) |
/// | `herald:{site}:qs:<user room>:<device>` | sorted set | the same IDs scored by their place in storage order (for readers that acknowledge by position) |
/// | `herald:{site}:m:<user room>:<device>` | hash | message ID → `<event byte length>:<event><args JSON>` |
/// | `herald:{site}:ev:<user room>:<device>` | set | events with queued messages |
/// | `herald:{site}:qe:<user room>:<device>:<event>` | sorted set | queued IDs of one event (for resync checks) |
/// | `herald:{site}:o:<user room>:<device>` | string | set when the queue overflowed since the device last connected |
/// | `herald:{site}:inst:<instance>` | hash | the instance's share of the site: `["user room","device"]` → its sockets |
///
/// The instance's own keys (`herald:instances`, `herald:alive:<id>`, `herald:instsites:<id>`) lie outside every site
/// and are written by ``RedisInstanceSites`` and ``RedisInstanceRegistry``, never by a script.
///
/// Whether a device is forgotten is decided from its `d<ms>` timestamp and `device_ttl`; Redis expiry
/// (`device_ttl` + 60 s after disconnect) only reclaims the memory of devices that never come back.
enum RedisStoreScripts {
    private static let prelude = """
        local P = ARGV[1]
        local GRACE = 60000
        local function esc(s) return (string.gsub(string.gsub(s, '%%', '%%25'), ':', '%%3A')) end
        local function ukey(u, kind) return P .. 'u:' .. esc(u) .. ':' .. kind end
        local function dkey(u, d, kind) return P .. kind .. ':' .. esc(u) .. ':' .. esc(d) end
        local function ekey(u, d, e) return P .. 'qe:' .. esc(u) .. ':' .. esc(d) .. ':' .. esc(e) end
        local function rkey(room) return P .. 'r:' .. esc(room) end
        local function chunked(command, key, list)
          for i = 1, #list, 1000 do
            redis.call(command, key, unpack(list, i, math.min(i + 999, #list)))
          end
        end
        local function eventOf(entry)
          local colon = string.find(entry, ':', 1, true)
          local length = tonumber(string.sub(entry, 1, colon - 1))
          return string.sub(entry, colon + 1, colon + length)
        end
        local function deviceKeys(u, d)
          local keys = {dkey(u, d, 'q'), dkey(u, d, 'qs'), dkey(u, d, 'm'), dkey(u, d, 'ev'), dkey(u, d, 'o')}
          for _, e in ipairs(redis.call('SMEMBERS', dkey(u, d, 'ev'))) do table.insert(keys, ekey(u, d, e)) end
          return keys
        end
        local function clearDevice(u, d)
          local keys = deviceKeys(u, d)
          redis.call('DEL', unpack(keys))
        end
        local function removeMessage(u, d, id)
          redis.call('ZREM', dkey(u, d, 'qs'), id)
          local entry = redis.call('HGET', dkey(u, d, 'm'), id)
          if not entry then return nil end
          local e = eventOf(entry)
          redis.call('ZREM', dkey(u, d, 'q'), id)
          redis.call('HDEL', dkey(u, d, 'm'), id)
          redis.call('ZREM', ekey(u, d, e), id)
          if redis.call('ZCARD', ekey(u, d, e)) == 0 then redis.call('SREM', dkey(u, d, 'ev'), e) end
          return e
        end
        local function releaseSockets(u, d, sockets, now, ttl)
          local devices = ukey(u, 'devices')
          local state = redis.call('HGET', devices, d)
          if not state or string.sub(state, 1, 1) ~= 'c' then return end
          local left = tonumber(string.sub(state, 2)) - sockets
          if left > 0 then
            redis.call('HSET', devices, d, 'c' .. left)
            return
          end
          redis.call('HSET', devices, d, 'd' .. now)
          if ttl > 0 then
            for _, k in ipairs(deviceKeys(u, d)) do redis.call('PEXPIRE', k, ttl * 1000 + GRACE) end
          end
        end
        local function expired(state, now, ttl)
          if ttl <= 0 or string.sub(state, 1, 1) ~= 'd' then return false end
          return now - tonumber(string.sub(state, 2)) >= ttl * 1000
        end

        """

    /// KEYS: the user's `devices` and `rooms`, the device's `q`, `qs`, `m`, `ev`, `o`, the instance's share of the site
    /// (`inst:<instance>`), the sets of the shared rooms in ARGV order…. ARGV: prefix, user room, device, now (ms),
    /// device_ttl (s), instance field (`["user room","device"]`, or empty to count no instance), most devices per
    /// user, `1` to resume (a socket already counted is not counted again) or `0`, shared rooms (lower-cased)….
    /// Derived while it runs, in the same slot: the device's `qe` sets, the keys of devices evicted or forgotten and
    /// the sets of rooms the user left. Returns `{status, ids, entries, evicted}`: status 0 registered, 1 registered
    /// after an overflow (the client must resync), 2 refused (a new device and the user's other devices all
    /// connected; nothing changed). A new device beyond the cap first evicts the user's devices offline the longest.
    /// The caller lists the instance and the site (``RedisInstanceSites``) before it counts a socket here.
    static let connect = RedisScript(
        prelude + """
            local u, d, now, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
            local devices = ukey(u, 'devices')
            local state = redis.call('HGET', devices, d)
            local count = 0
            local evicted = 0
            if state and expired(state, now, ttl) then
              clearDevice(u, d)
              redis.call('HDEL', devices, d)
              state = nil
            end
            local counted = false
            if state then
              if string.sub(state, 1, 1) == 'c' then
                count = tonumber(string.sub(state, 2))
                counted = ARGV[8] == '1'
              end
            else
              local all = redis.call('HGETALL', devices)
              local stale, offline, known = {}, {}, 0
              for j = 1, #all, 2 do
                local other, s = all[j], all[j + 1]
                if expired(s, now, ttl) then
                  table.insert(stale, other)
                else
                  known = known + 1
                  if string.sub(s, 1, 1) == 'd' then table.insert(offline, {tonumber(string.sub(s, 2)), other}) end
                end
              end
              local excess = known - (tonumber(ARGV[7]) - 1)
              if excess > #offline then return {2, {}, {}, 0} end
              for _, other in ipairs(stale) do
                clearDevice(u, other)
                redis.call('HDEL', devices, other)
              end
              if excess > 0 then
                table.sort(offline, function(a, b)
                  if a[1] ~= b[1] then return a[1] < b[1] end
                  return a[2] < b[2]
                end)
                for k = 1, excess do
                  clearDevice(u, offline[k][2])
                  redis.call('HDEL', devices, offline[k][2])
                end
                evicted = excess
              end
            end
            if not counted then redis.call('HSET', devices, d, 'c' .. (count + 1)) end
            if ARGV[6] ~= '' and not counted then redis.call('HINCRBY', KEYS[8], ARGV[6], 1) end
            redis.call('PERSIST', devices)
            for _, k in ipairs(deviceKeys(u, d)) do redis.call('PERSIST', k) end
            local roomsKey = ukey(u, 'rooms')
            redis.call('PERSIST', roomsKey)
            local wanted = {}
            for i = 9, #ARGV do wanted[ARGV[i]] = true end
            for _, r in ipairs(redis.call('SMEMBERS', roomsKey)) do
              if not wanted[r] then
                redis.call('SREM', rkey(r), u)
                redis.call('SREM', roomsKey, r)
              end
            end
            for r, _ in pairs(wanted) do
              redis.call('SADD', rkey(r), u)
              redis.call('SADD', roomsKey, r)
            end
            if redis.call('EXISTS', dkey(u, d, 'o')) == 1 then
              clearDevice(u, d)
              return {1, {}, {}, evicted}
            end
            local ids = redis.call('ZRANGE', dkey(u, d, 'q'), 0, -1)
            local entries = {}
            for i = 1, #ids, 1000 do
              local part = redis.call('HMGET', dkey(u, d, 'm'), unpack(ids, i, math.min(i + 999, #ids)))
              for _, entry in ipairs(part) do table.insert(entries, entry) end
            end
            return {0, ids, entries, evicted}
            """
    )

    /// KEYS: the user's `devices` and `rooms`, the device's `q`, `qs`, `m`, `ev`, `o`, the instance's share of the site.
    /// ARGV: prefix, user room, device, now (ms), device_ttl (s), instance field (or empty). Derived, in the same
    /// slot: the device's `qe` sets.
    static let disconnect = RedisScript(
        prelude + """
            local u, d, now, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
            if ARGV[6] ~= '' then
              if redis.call('HINCRBY', KEYS[8], ARGV[6], -1) <= 0 then redis.call('HDEL', KEYS[8], ARGV[6]) end
            end
            local devices = ukey(u, 'devices')
            local state = redis.call('HGET', devices, d)
            if not state or string.sub(state, 1, 1) ~= 'c' then return 0 end
            local count = tonumber(string.sub(state, 2)) - 1
            if count > 0 then
              redis.call('HSET', devices, d, 'c' .. count)
              return count
            end
            redis.call('HSET', devices, d, 'd' .. now)
            if ttl > 0 then
              local keep = ttl * 1000 + GRACE
              for _, k in ipairs(deviceKeys(u, d)) do redis.call('PEXPIRE', k, keep) end
              local anyConnected = false
              for _, s in ipairs(redis.call('HVALS', devices)) do
                if string.sub(s, 1, 1) == 'c' then anyConnected = true end
              end
              if not anyConnected then
                redis.call('PEXPIRE', devices, keep)
                redis.call('PEXPIRE', ukey(u, 'rooms'), keep)
              end
            end
            return 0
            """
    )

    /// KEYS: the shared room's set. ARGV: prefix, shared room (lower-cased). Derived, in the same slot: the members'
    /// `devices` hashes. Returns the member user rooms that still have devices.
    static let userRooms = RedisScript(
        prelude + """
            local key = rkey(ARGV[2])
            local members = {}
            for _, u in ipairs(redis.call('SMEMBERS', key)) do
              if redis.call('EXISTS', ukey(u, 'devices')) == 1 then
                table.insert(members, u)
              else
                redis.call('SREM', key, u)
              end
            end
            return members
            """
    )

    /// KEYS: `devices` and `rooms` of each user room, in ARGV order. ARGV: prefix, now (ms), device_ttl (s), queue
    /// limit, message ID, event, entry, user rooms…. Derived, in the same slot: the queue keys of each device found
    /// and the shared-room sets of users left without devices. Returns `{user room, device, user room, device, …}` of the devices now holding the message.
    static let enqueue = RedisScript(
        prelude + """
            local now, ttl, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
            local id, event, entry = ARGV[5], ARGV[6], ARGV[7]
            local holders = {}
            for i = 8, #ARGV do
              local u = ARGV[i]
              local devices = ukey(u, 'devices')
              local all = redis.call('HGETALL', devices)
              for j = 1, #all, 2 do
                local d, state = all[j], all[j + 1]
                if expired(state, now, ttl) then
                  clearDevice(u, d)
                  redis.call('HDEL', devices, d)
                else
                  local q = dkey(u, d, 'q')
                  redis.call('ZADD', q, 0, id)
                  local qs = dkey(u, d, 'qs')
                  if not redis.call('ZSCORE', qs, id) then
                    local top = redis.call('ZRANGE', qs, -1, -1, 'WITHSCORES')
                    redis.call('ZADD', qs, top[2] and tonumber(top[2]) + 1 or 1, id)
                  end
                  redis.call('HSET', dkey(u, d, 'm'), id, entry)
                  redis.call('SADD', dkey(u, d, 'ev'), event)
                  redis.call('ZADD', ekey(u, d, event), 0, id)
                  local excess = redis.call('ZCARD', q) - limit
                  if excess > 0 then
                    local dropped = redis.call('ZRANGE', q, 0, excess - 1)
                    for _, old in ipairs(dropped) do removeMessage(u, d, old) end
                    redis.call('SET', dkey(u, d, 'o'), '1')
                  end
                  if ttl > 0 and string.sub(state, 1, 1) == 'd' then
                    local keep = tonumber(string.sub(state, 2)) + ttl * 1000 - now + GRACE
                    for _, k in ipairs(deviceKeys(u, d)) do redis.call('PEXPIRE', k, keep) end
                  end
                  table.insert(holders, u)
                  table.insert(holders, d)
                end
              end
              if redis.call('HLEN', devices) == 0 then
                local roomsKey = ukey(u, 'rooms')
                for _, r in ipairs(redis.call('SMEMBERS', roomsKey)) do redis.call('SREM', rkey(r), u) end
                redis.call('DEL', devices, roomsKey)
              end
            end
            return holders
            """
    )

    /// KEYS: `q`, `qs`, `m`, `ev` of each device, in ARGV order. ARGV: prefix, message ID, then user room and device of
    /// each device ``enqueue`` stored it for. Derived, in the same slot: the `qe` sets. Takes the message back out of
    /// those queues: an enqueue whose replicas did not acknowledge it in time, so its `/send` is answered 503 and the
    /// backend's retry stores it once (queues it made overflow stay trimmed). Returns how many queues held it.
    static let withdraw = RedisScript(
        prelude + """
            local id, removed = ARGV[2], 0
            for i = 3, #ARGV - 1, 2 do
              if removeMessage(ARGV[i], ARGV[i + 1], id) then removed = removed + 1 end
            end
            return removed
            """
    )

    /// KEYS: `q`, `qs`, `m`, `ev` of each ack's device, in ARGV order. ARGV: prefix, then for each ack in the order the
    /// clients sent them: user room, device, message ID, `1` for resync or `0`. Derived, in the same slot: the `qe`
    /// sets. The acks of many devices recorded in one call, each removing its message, or with resync when it is not the oldest queued one of its event clearing that event's queue. Returns two
    /// entries per ack: its status (0 not queued, 1 removed, 2 resync) and the resynced event or an empty string.
    static let acknowledgeMany = RedisScript(
        prelude + """
            local answers = {}
            for i = 2, #ARGV, 4 do
              local u, d, id = ARGV[i], ARGV[i + 1], ARGV[i + 2]
              local entry = redis.call('HGET', dkey(u, d, 'm'), id)
              local status, resynced = 0, ''
              if entry then
                local e = eventOf(entry)
                local oldest = ARGV[i + 3] == '1' and redis.call('ZRANGE', ekey(u, d, e), 0, 0) or nil
                if oldest and oldest[1] ~= id then
                  local ids = redis.call('ZRANGE', ekey(u, d, e), 0, -1)
                  chunked('ZREM', dkey(u, d, 'q'), ids)
                  chunked('ZREM', dkey(u, d, 'qs'), ids)
                  chunked('HDEL', dkey(u, d, 'm'), ids)
                  redis.call('DEL', ekey(u, d, e))
                  redis.call('SREM', dkey(u, d, 'ev'), e)
                  status, resynced = 2, e
                else
                  removeMessage(u, d, id)
                  status = 1
                end
              end
              table.insert(answers, status)
              table.insert(answers, resynced)
            end
            return answers
            """
    )

    /// KEYS: the device's `q`, `qs`, `m`, `ev`. ARGV: prefix, user room, device, message IDs…. Derived, in the same
    /// slot: the `qe` sets.
    static let acknowledgeBatch = RedisScript(
        prelude + """
            local u, d = ARGV[2], ARGV[3]
            for i = 4, #ARGV do removeMessage(u, d, ARGV[i]) end
            return 0
            """
    )

    /// KEYS: the device's `q`, `qs`, `m`, `ev`. ARGV: prefix, user room, device, message ID. Derived, in the same
    /// slot: the `qe` sets. Removes the message and every message stored for the device
    /// before it (storage order, `qs`); an ID not queued removes nothing. Returns how many went.
    static let acknowledgeThrough = RedisScript(
        prelude + """
            local u, d = ARGV[2], ARGV[3]
            local qs = dkey(u, d, 'qs')
            local place = redis.call('ZSCORE', qs, ARGV[4])
            if not place then return 0 end
            local ids = redis.call('ZRANGEBYSCORE', qs, '-inf', place)
            for _, id in ipairs(ids) do removeMessage(u, d, id) end
            return #ids
            """
    )

    /// KEYS: the device's `q`, `qs`, `m`, `ev`, `o`. ARGV: prefix, user room, device, message ID or empty. Derived, in
    /// the same slot: the `qe` sets. Returns `{status, ids, entries}`: status 0 with the
    /// messages stored after that ID (all of them when it is empty or not queued) in storage order, or 1 with none
    /// when the queue overflowed since the device last connected (the queue is then cleared, as on connect).
    /// Messages queued without a place (by an instance older than `qs`, during a rolling upgrade) are given places
    /// after the others, in ID order, the first time they are read; one `ZCARD` each otherwise.
    static let queued = RedisScript(
        prelude + """
            local u, d = ARGV[2], ARGV[3]
            if redis.call('EXISTS', dkey(u, d, 'o')) == 1 then
              clearDevice(u, d)
              return {1, {}, {}}
            end
            local q, qs = dkey(u, d, 'q'), dkey(u, d, 'qs')
            if redis.call('ZCARD', q) > redis.call('ZCARD', qs) then
              local top = redis.call('ZRANGE', qs, -1, -1, 'WITHSCORES')
              local place = top[2] and tonumber(top[2]) or 0
              for _, id in ipairs(redis.call('ZRANGE', q, 0, -1)) do
                if not redis.call('ZSCORE', qs, id) then
                  place = place + 1
                  redis.call('ZADD', qs, place, id)
                end
              end
            end
            local start = '-inf'
            if ARGV[4] ~= '' then
              local place = redis.call('ZSCORE', qs, ARGV[4])
              if place then start = '(' .. place end
            end
            local ids = redis.call('ZRANGEBYSCORE', qs, start, '+inf')
            local entries = {}
            for i = 1, #ids, 1000 do
              local part = redis.call('HMGET', dkey(u, d, 'm'), unpack(ids, i, math.min(i + 999, #ids)))
              for _, entry in ipairs(part) do table.insert(entries, entry) end
            end
            return {0, ids, entries}
            """
    )

    /// KEYS: a dead instance's share of one site (`inst:<instance>`) and its sessions there (`csrinst:<instance>`).
    /// ARGV: prefix, now (ms), device_ttl (s), the dead instance's ID. Derived, in the same slot: the devices' hashes
    /// and queue keys, and the sessions (`csr:<pid>`). Counts the instance's sockets of the site as disconnected now
    /// (starting their devices' `device_ttl` clock), marks its connection state recovery sessions of the site as gone
    /// (they can be taken back within their window) and deletes both hashes. Returns how many devices it held.
    static let reapInstance = RedisScript(
        prelude + """
            local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
            local entries = redis.call('HGETALL', KEYS[1])
            for i = 1, #entries, 2 do
              local ok, parts = pcall(cjson.decode, entries[i])
              local sockets = tonumber(entries[i + 1])
              if ok and type(parts) == 'table' and #parts == 2 and sockets and sockets > 0 then
                local u, d = parts[1], parts[2]
                releaseSockets(u, d, sockets, now, ttl)
              end
            end
            redis.call('DEL', KEYS[1])
            for _, pid in ipairs(redis.call('HKEYS', KEYS[2])) do
              local key = P .. 'csr:' .. esc(pid)
              local decoded, session = pcall(cjson.decode, redis.call('GET', key) or '')
              if decoded and type(session) == 'table' and session.i == ARGV[4] and not session.g then
                session.g = true
                redis.call('SET', key, cjson.encode(session), 'PX', tonumber(session.w) or 120000)
              end
            end
            redis.call('DEL', KEYS[2])
            return #entries / 2
            """
    )

    /// What ``reapInstance`` was before instances kept their share per site: the hashes `herald:inst:<instance>` and
    /// `herald:csrinst:<instance>` written by an instance of an older version (they exist only on a single Redis that
    /// such an instance used, never on a cluster, so this script declares no keys and spans sites). Run once for a
    /// dead instance that left them, during a rolling upgrade.
    ///
    /// ARGV: key prefix (`herald`), dead instance's hash key, now (ms), device_ttl (s), instances set key, instance
    /// ID, the dead instance's session hash. Counts the dead instance's sockets as disconnected now (starting their
    /// devices' `device_ttl` clock), marks the connection state recovery sessions it held as gone (they can be taken
    /// back within their window) and removes the instance. Returns how many devices it held.
    static let reapLegacyInstance = RedisScript(
        prelude + """
            local base, held, now, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
            local entries = redis.call('HGETALL', held)
            for i = 1, #entries, 2 do
              local ok, parts = pcall(cjson.decode, entries[i])
              local sockets = tonumber(entries[i + 1])
              if ok and type(parts) == 'table' and #parts == 3 and sockets and sockets > 0 then
                P = base .. ':{' .. parts[1] .. '}:'
                local u, d = parts[2], parts[3]
                releaseSockets(u, d, sockets, now, ttl)
              end
            end
            redis.call('DEL', held)
            if ARGV[7] then
              local sessions = redis.call('HKEYS', ARGV[7])
              for _, field in ipairs(sessions) do
                local ok, parts = pcall(cjson.decode, field)
                if ok and type(parts) == 'table' and #parts == 2 then
                  local key = base .. ':{' .. parts[1] .. '}:csr:' .. esc(parts[2])
                  local value = redis.call('GET', key)
                  local decoded, session = pcall(cjson.decode, value or '')
                  if decoded and type(session) == 'table' and session.i == ARGV[6] and not session.g then
                    session.g = true
                    redis.call('SET', key, cjson.encode(session), 'PX', tonumber(session.w) or 120000)
                  end
                end
              end
              redis.call('DEL', ARGV[7])
            end
            redis.call('SREM', ARGV[5], ARGV[6])
            return #entries / 2
            """
    )
}
