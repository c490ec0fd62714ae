public import Herald
public import Logging
import NIOConcurrencyHelpers

/// Liveness of Herald instances sharing one Redis, so a crashed instance's clients are not counted as connected
/// forever: each instance refreshes `herald:alive:<id>` (a short TTL) and lists itself in `herald:instances`; every
/// instance checks the others and reaps one whose key has expired, counting the sockets it held as disconnected
/// from then on (their devices' `device_ttl` clock starts; clients that reconnect elsewhere get their `_batch`).
///
/// An instance keeps its share of each site in that site's hash slot (`herald:{site}:inst:<id>` and the like, see
/// ``RedisStoreScripts``) and lists the sites in `herald:instsites:<id>` (``RedisInstanceSites``); reaping walks the
/// listed sites one script each, then the hashes an instance of an older version kept for all sites, if any.
public final class RedisInstanceRegistry: Sendable {
    /// This instance's ID.
    public let instanceID: String
    /// The sites this instance holds a share in: hand it to the stores (``RedisMessageStore``,
    /// ``RedisPresenceStore``, ``RedisCluster``), so each heartbeat lists the sites again.
    public let sites: RedisInstanceSites
    private let client: RedisClient
    private let keyPrefix: String
    private let deviceTTL: Int
    private let clock: any WallClock
    private let logger: Logger
    private let presence = NIOLockedValueBox<(any PresenceReaping)?>(nil)
    private let reapers = NIOLockedValueBox<[@Sendable (String) async -> Void]>([])
    /// How long an instance counts as alive after its last heartbeat.
    public let timeToLive: Duration
    /// How often heartbeats are sent and other instances checked.
    public let interval: Duration

    /// Creates the registry for `instanceID`.
    public init(
        client: RedisClient,
        instanceID: String,
        deviceTTL: Int,
        keyPrefix: String = "herald",
        timeToLive: Duration = .seconds(10),
        interval: Duration = .seconds(3),
        clock: any WallClock = SystemWallClock(),
        logger: Logger
    ) {
        self.client = client
        self.instanceID = instanceID
        self.deviceTTL = deviceTTL
        self.keyPrefix = keyPrefix
        self.timeToLive = timeToLive
        self.interval = interval
        self.clock = clock
        self.logger = logger
        sites = RedisInstanceSites(client: client, instanceID: instanceID, keyPrefix: keyPrefix, timeToLive: timeToLive)
    }

    /// Sends heartbeats and reaps dead instances until the task is cancelled; starts once Redis answers, so the
    /// first heartbeat is not lost to the initial connection. After cancellation it sends nothing more once it
    /// returned: await it before ``retire()``, or a last heartbeat could list the instance again.
    public func run() async {
        await client.waitForConnection(atMost: interval * 10)
        while !Task.isCancelled {
            await beat()
            await reapDeadInstances()
            try? await Task.sleep(for: interval)
        }
    }

    /// Hands the rooms' presence of each dead instance to `reaping` before the instance is forgotten, so its members
    /// leave and are announced; set once the service that announces exists.
    public func reapPresence(with reaping: any PresenceReaping) {
        presence.withLockedValue { $0 = reaping }
    }

    /// Runs `reap` with the ID of each dead instance before it is forgotten (its connection leases are released).
    public func onReap(_ reap: @escaping @Sendable (_ instanceID: String) async -> Void) {
        reapers.withLockedValue { $0.append(reap) }
    }

    /// Removes this instance from the registry (after a graceful shutdown recorded its clients' disconnects).
    public func retire() async {
        for site in await listedSites(of: instanceID).union(sites.sites) {
            _ = try? await client.send(["DEL", RedisSiteKeys(keyPrefix: keyPrefix, site: site).heldDevices(instanceID)])
        }
        _ = try? await client.send(["DEL", sitesKey(instanceID)])
        _ = try? await client.send(["DEL", aliveKey(instanceID)])
        _ = try? await client.send(["SREM", instancesKey, instanceID])
    }

    /// Refreshes the liveness key and lists the instance and its sites, one command each (they lie in different
    /// slots of a cluster).
    private func beat() async {
        _ = try? await client.send(["SET", aliveKey(instanceID), "1", "PX", "\(timeToLive.redisMilliseconds)"])
        _ = try? await client.send(["SADD", instancesKey, instanceID])
        let entered = sites.sites
        if !entered.isEmpty {
            _ = try? await client.send(["SADD", sitesKey(instanceID)] + entered)
        }
    }

    private func reapDeadInstances() async {
        guard let members = try? await client.send(["SMEMBERS", instancesKey]).array else { return }
        for other in members.compactMap(\.string) where other != instanceID {
            guard let alive = try? await client.send(["EXISTS", aliveKey(other)]).int, alive == 0 else { continue }
            do {
                try await presence.withLockedValue({ $0 })?.reapPresence(of: other)
                for reap in reapers.withLockedValue({ $0 }) {
                    await reap(other)
                }
                let devices = try await reap(other)
                logger.warning(
                    "instance \(other) stopped answering; its clients count as disconnected",
                    metadata: ["instance": "\(other)", "devices": "\(devices)"]
                )
            } catch {
                logger.warning("reaping instance \(other) failed: \(error)")
            }
        }
    }

    /// Reaps the dead instance's share of each site it listed and its legacy hashes, then forgets it; returns how
    /// many devices it held.
    private func reap(_ other: String) async throws(RedisError) -> Int {
        var devices = 0
        let now = "\(clock.milliseconds)"
        guard let listed = try await client.send(["SMEMBERS", sitesKey(other)]).array else {
            throw .protocolError("SMEMBERS answered no array")
        }
        for site in listed.compactMap(\.string) {
            let keys = RedisSiteKeys(keyPrefix: keyPrefix, site: site)
            let reply = try await client.run(
                RedisStoreScripts.reapInstance,
                keys: [keys.heldDevices(other), keys.heldSessions(other)],
                arguments: [keys.prefix, now, "\(deviceTTL)", other]
            )
            devices += reply.int ?? 0
        }
        let legacyDevices = "\(keyPrefix):inst:\(other)"
        let legacySessions = "\(keyPrefix):csrinst:\(other)"
        let legacy = try await client.send(["EXISTS", legacyDevices]).int ?? 0
        if try await legacy + (client.send(["EXISTS", legacySessions]).int ?? 0) > 0 {
            let reply = try await client.run(
                RedisStoreScripts.reapLegacyInstance,
                keys: [],
                arguments: [keyPrefix, legacyDevices, now, "\(deviceTTL)", instancesKey, other, legacySessions]
            )
            devices += reply.int ?? 0
        }
        _ = try await client.send(["DEL", sitesKey(other)])
        _ = try await client.send(["SREM", instancesKey, other])
        return devices
    }

    private func listedSites(of instance: String) async -> Set<String> {
        let reply = try? await client.send(["SMEMBERS", sitesKey(instance)])
        return Set((reply?.array ?? []).compactMap(\.string))
    }

    private var instancesKey: String { RedisInstanceSites.instancesKey(prefix: keyPrefix) }

    private func aliveKey(_ id: String) -> String { RedisInstanceSites.aliveKey(prefix: keyPrefix, instanceID: id) }

    private func sitesKey(_ id: String) -> String { RedisInstanceSites.sitesKey(prefix: keyPrefix, instanceID: id) }
}
