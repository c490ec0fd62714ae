public import Herald
public import Logging
import NIOConcurrencyHelpers

/// Liveness of Herald instances sharing one Redis, so a crashed instance's clients are not counted as connected
/// forever: each instance refreshes `herald:alive:<id>` (a short TTL) and lists itself in `herald:instances`; every
/// instance checks the others and reaps one whose key has expired, counting the sockets it held as disconnected
/// from then on (their devices' `device_ttl` clock starts; clients that reconnect elsewhere get their `_batch`).
public final class RedisInstanceRegistry: Sendable {
    /// This instance's ID.
    public let instanceID: String
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
        _ = try? await client.pipeline([
            ["DEL", aliveKey(instanceID)],
            ["SREM", instancesKey, instanceID],
            ["DEL", Self.heldDevicesKey(prefix: keyPrefix, instanceID: instanceID)],
        ])
    }

    private func beat() async {
        _ = try? await client.pipeline([
            ["SET", aliveKey(instanceID), "1", "PX", "\(timeToLive.redisMilliseconds)"],
            ["SADD", instancesKey, instanceID],
        ])
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
                let reply = try await client.run(
                    RedisStoreScripts.reapInstance,
                    keys: [],
                    arguments: [
                        keyPrefix, Self.heldDevicesKey(prefix: keyPrefix, instanceID: other), "\(clock.milliseconds)",
                        "\(deviceTTL)", instancesKey, other,
                        RedisSessionHistory.instanceSessionsKey(prefix: keyPrefix, instanceID: other),
                    ]
                )
                logger.warning(
                    "instance \(other) stopped answering; its clients count as disconnected",
                    metadata: ["instance": "\(other)", "devices": "\(reply.int ?? 0)"]
                )
            } catch {
                logger.warning("reaping instance \(other) failed: \(error)")
            }
        }
    }

    private var instancesKey: String { "\(keyPrefix):instances" }

    private func aliveKey(_ id: String) -> String { "\(keyPrefix):alive:\(id)" }

    /// The hash of devices (and their socket counts) an instance holds.
    static func heldDevicesKey(prefix: String, instanceID: String) -> String {
        "\(prefix):inst:\(instanceID)"
    }
}
