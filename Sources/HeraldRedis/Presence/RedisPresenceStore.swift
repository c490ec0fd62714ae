import Foundation
public import Herald

/// The ``PresenceStore`` for several Herald instances: each room's members in a Redis hash, each instance's share in
/// one hash of its own (see ``RedisPresenceScripts`` for the layout), every operation one Lua script.
public final class RedisPresenceStore: PresenceStore {
    public let instanceID: String
    private let client: RedisClient
    private let keyPrefix: String
    private let livenessMilliseconds: Int

    /// Creates the store on `client` for `instanceID`; keys start with `keyPrefix` (`herald` by default), and an
    /// instance that records a socket is listed for reaping with a liveness key of `instanceTimeout` if it has none.
    public init(client: RedisClient, instanceID: String, keyPrefix: String = "herald", instanceTimeout: Duration = .seconds(10)) {
        self.client = client
        self.instanceID = instanceID
        self.keyPrefix = keyPrefix
        livenessMilliseconds = instanceTimeout.redisMilliseconds
    }

    public func arrive(_ member: PresenceMember, site: String, rooms: [String]) async throws(StoreError) -> [String] {
        let arguments =
            head(member, site: site) + [
                "\(keyPrefix):instances", instanceID, "\(keyPrefix):alive:\(instanceID)", "\(livenessMilliseconds)",
            ]
        return try await strings(run(RedisPresenceScripts.arrive, arguments + Array(Set(rooms))))
    }

    public func depart(_ member: PresenceMember, site: String, rooms: [String], leave: String) async throws(StoreError)
        -> [String]
    {
        try await strings(run(RedisPresenceScripts.depart, head(member, site: site) + [leave] + Array(Set(rooms))))
    }

    public func expire(_ member: PresenceMember, site: String, rooms: [String], leave: String) async throws(StoreError)
        -> [String]
    {
        try await strings(run(RedisPresenceScripts.expire, head(member, site: site) + [leave] + Array(Set(rooms))))
    }

    public func members(site: String, room: String) async throws(StoreError) -> [PresenceMember] {
        let reply: RedisValue
        do {
            reply = try await client.send(["HKEYS", "\(keyPrefix):{\(site)}:pr:\(Self.escape(room))"])
        } catch {
            throw StoreError(error.description)
        }
        return try strings(reply).map { field throws(StoreError) in
            let parts = field.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw StoreError("unexpected presence field: \(field)") }
            return PresenceMember(user: Self.unescape(parts[0]), deviceID: Self.unescape(parts[1]))
        }
    }

    public func reap(instance: String) async throws(StoreError) -> [PresenceDeparture] {
        let reply = try await run(RedisPresenceScripts.reap, [keyPrefix, Self.instanceKey(prefix: keyPrefix, instanceID: instance)])
        guard let entries = reply.array else { throw StoreError("unexpected reply to presence reap: \(reply)") }
        return try entries.map { entry throws(StoreError) in
            guard let parts = entry.array?.compactMap(\.string), parts.count == 4 else {
                throw StoreError("unexpected presence entry: \(entry)")
            }
            return PresenceDeparture(
                site: Self.unescape(parts[0][...]),
                room: Self.unescape(parts[1][...]),
                member: PresenceMember(user: Self.unescape(parts[2][...]), deviceID: Self.unescape(parts[3][...]))
            )
        }
    }

    /// The hash of what an instance holds in rooms' presence.
    static func instanceKey(prefix: String, instanceID: String) -> String {
        "\(prefix):prinst:\(instanceID)"
    }

    private func head(_ member: PresenceMember, site: String) -> [String] {
        ["\(keyPrefix):{\(site)}:", Self.instanceKey(prefix: keyPrefix, instanceID: instanceID), site, member.user, member.deviceID]
    }

    private func run(_ script: RedisScript, _ arguments: [String]) async throws(StoreError) -> RedisValue {
        do {
            return try await client.run(script, keys: [], arguments: arguments)
        } catch {
            throw StoreError(error.description)
        }
    }

    private func strings(_ reply: RedisValue) throws(StoreError) -> [String] {
        guard let values = reply.array else { throw StoreError("unexpected presence reply: \(reply)") }
        return values.compactMap(\.string).sorted()
    }

    private static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ":", with: "%3A")
    }

    private static func unescape(_ name: Substring) -> String {
        name.replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%25", with: "%")
    }
}
