import Foundation
public import Herald

/// The ``PresenceStore`` for several Herald instances: each room's members in a Redis hash, each instance's share of a
/// site in one hash of its own (see ``RedisPresenceScripts`` for the layout), every operation one Lua script in the
/// site's hash slot.
public final class RedisPresenceStore: PresenceStore {
    public let instanceID: String
    private let client: RedisClient
    private let keyPrefix: String
    private let instance: RedisInstanceSites

    /// Creates the store on `client` for `instance`; keys start with `keyPrefix` (`herald` by default).
    public init(client: RedisClient, instance: RedisInstanceSites, keyPrefix: String = "herald") {
        self.client = client
        self.instanceID = instance.instanceID
        self.keyPrefix = keyPrefix
        self.instance = instance
    }

    /// Creates the store on `client` for `instanceID`; an instance that records a socket is listed for reaping with
    /// a liveness key of `instanceTimeout` if it has none.
    public convenience init(
        client: RedisClient,
        instanceID: String,
        keyPrefix: String = "herald",
        instanceTimeout: Duration = .seconds(10)
    ) {
        let instance = RedisInstanceSites(client: client, instanceID: instanceID, keyPrefix: keyPrefix, timeToLive: instanceTimeout)
        self.init(client: client, instance: instance, keyPrefix: keyPrefix)
    }

    public func arrive(_ member: PresenceMember, site: String, rooms: [String]) async throws(StoreError) -> [String] {
        do {
            try await instance.enter(site)
        } catch {
            throw StoreError(error.description)
        }
        let rooms = Array(Set(rooms))
        return try await strings(
            run(RedisPresenceScripts.arrive, keys: keys(site: site, rooms: rooms), [member.user, member.deviceID] + rooms)
        )
    }

    public func depart(_ member: PresenceMember, site: String, rooms: [String], leave: String) async throws(StoreError)
        -> [String]
    {
        let rooms = Array(Set(rooms))
        return try await strings(
            run(RedisPresenceScripts.depart, keys: keys(site: site, rooms: rooms), [member.user, member.deviceID, leave] + rooms)
        )
    }

    public func expire(_ member: PresenceMember, site: String, rooms: [String], leave: String) async throws(StoreError)
        -> [String]
    {
        let rooms = Array(Set(rooms))
        return try await strings(
            run(RedisPresenceScripts.expire, keys: keys(site: site, rooms: rooms), [member.user, member.deviceID, leave] + rooms)
        )
    }

    public func members(site: String, room: String) async throws(StoreError) -> [PresenceMember] {
        let reply: RedisValue
        do {
            reply = try await client.send(["HKEYS", RedisSiteKeys(keyPrefix: keyPrefix, site: site).presence(room)])
        } catch {
            throw StoreError(error.description)
        }
        return try strings(reply).map { field throws(StoreError) in
            let parts = field.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw StoreError("unexpected presence field: \(field)") }
            return PresenceMember(user: Self.unescape(parts[0]), deviceID: Self.unescape(parts[1]))
        }
    }

    /// Reaps the dead `instance`'s share of each site it listed, and the one hash an instance of an older version
    /// kept for all sites (`herald:prinst:<instance>`, rolling upgrade).
    public func reap(instance: String) async throws(StoreError) -> [PresenceDeparture] {
        var departures: [PresenceDeparture] = []
        for site in try await sites(of: instance) {
            let keys = RedisSiteKeys(keyPrefix: keyPrefix, site: site)
            let reply = try await run(RedisPresenceScripts.reap, keys: [keys.heldPresence(instance)], [keys.prefix])
            departures += try Self.departures(reply, site: site)
        }
        let legacy = "\(keyPrefix):prinst:\(instance)"
        if try await send(["EXISTS", legacy]).int == 1 {
            departures += try Self.departures(try await run(RedisPresenceScripts.reapLegacy, keys: [], [keyPrefix, legacy]), site: nil)
        }
        return departures
    }

    /// The departures in a reap's reply: `[room, user, device]` of `site`, or `[site, room, user, device]` without.
    private static func departures(_ reply: RedisValue, site: String?) throws(StoreError) -> [PresenceDeparture] {
        guard let entries = reply.array else { throw StoreError("unexpected reply to presence reap: \(reply)") }
        return try entries.map { entry throws(StoreError) in
            guard var parts = entry.array?.compactMap(\.string), parts.count == (site == nil ? 4 : 3) else {
                throw StoreError("unexpected presence entry: \(entry)")
            }
            let site = site ?? unescape(parts.removeFirst()[...])
            return PresenceDeparture(
                site: site,
                room: unescape(parts[0][...]),
                member: PresenceMember(user: unescape(parts[1][...]), deviceID: unescape(parts[2][...]))
            )
        }
    }

    private func sites(of instance: String) async throws(StoreError) -> [String] {
        let reply = try await send(["SMEMBERS", RedisInstanceSites.sitesKey(prefix: keyPrefix, instanceID: instance)])
        return (reply.array ?? []).compactMap(\.string).sorted()
    }

    /// This instance's share of `site`, then the hashes of `rooms`.
    private func keys(site: String, rooms: [String]) -> [String] {
        let keys = RedisSiteKeys(keyPrefix: keyPrefix, site: site)
        return [keys.heldPresence(instanceID)] + rooms.map(keys.presence)
    }

    private func send(_ command: [String]) async throws(StoreError) -> RedisValue {
        do {
            return try await client.send(command)
        } catch {
            throw StoreError(error.description)
        }
    }

    private func run(_ script: RedisScript, keys: [String], _ arguments: [String]) async throws(StoreError) -> RedisValue {
        do {
            return try await client.run(script, keys: keys, arguments: arguments)
        } catch {
            throw StoreError(error.description)
        }
    }

    private func strings(_ reply: RedisValue) throws(StoreError) -> [String] {
        guard let values = reply.array else { throw StoreError("unexpected presence reply: \(reply)") }
        return values.compactMap(\.string).sorted()
    }

    private static func unescape(_ name: Substring) -> String {
        name.replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%25", with: "%")
    }
}
