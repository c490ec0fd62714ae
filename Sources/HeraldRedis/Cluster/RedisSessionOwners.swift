import NIOConcurrencyHelpers

/// Which instance holds each polling Engine.IO session, so a request that a round-robin load balancer sends to
/// another instance can be forwarded to it.
///
/// One string per session, `herald:{sid:<sid>}:owner` → `<instance ID> <host:port>` (the hash tag keeps each key in
/// its own slot on Redis Cluster). The key lives ``timeToLive`` and is rewritten every ``interval`` while the session
/// lives here, so the record of a crashed instance's sessions expires with its liveness; a session that closes
/// deletes it. Rewriting (rather than `PEXPIRE`) also puts back records a restarted Redis lost.
public final class RedisSessionOwners: Sendable {
    /// An instance that holds a session, as its record names it.
    public struct Owner: Sendable, Equatable {
        /// The instance's ID.
        public let instanceID: String
        /// Where the other instances reach it (`cluster.advertise`).
        public let address: String
    }

    /// This instance's ID.
    public let instanceID: String
    /// How long a record outlives its last refresh (`cluster.instanceTimeout`).
    public let timeToLive: Duration
    /// How often the records of this instance's sessions are rewritten (`cluster.heartbeat`).
    public let interval: Duration
    private let client: RedisClient
    private let keyPrefix: String
    private let address: NIOLockedValueBox<String?>
    private let recorded = NIOLockedValueBox<Set<String>>([])
    /// Most records rewritten by one pipeline.
    private static let refreshBatch = 500

    /// Creates the records of `instanceID`'s sessions; ``advertise(_:)`` sets the address once it is known.
    public init(
        client: RedisClient,
        instanceID: String,
        keyPrefix: String = "herald",
        timeToLive: Duration,
        interval: Duration,
        address: String? = nil
    ) {
        self.client = client
        self.instanceID = instanceID
        self.keyPrefix = keyPrefix
        self.timeToLive = timeToLive
        self.interval = interval
        self.address = NIOLockedValueBox(address)
    }

    /// Sets the address the other instances forward to (known once the server listens, when its port was 0).
    public func advertise(_ address: String) {
        self.address.withLockedValue { $0 = address }
    }

    /// Records that session `sid` lives here; a Redis failure is ignored (the session works, unforwardable).
    public func record(_ sid: String) async {
        guard let value = recordValue else { return }
        recorded.withLockedValue { _ = $0.insert(sid) }
        _ = try? await client.send(["SET", key(sid), value, "PX", "\(timeToLive.redisMilliseconds)"])
    }

    /// Deletes the record of session `sid`, which closed here.
    public func forget(_ sid: String) {
        let wasRecorded = recorded.withLockedValue { $0.remove(sid) != nil }
        guard wasRecorded else { return }
        let client = self.client
        let key = key(sid)
        Task { _ = try? await client.send(["DEL", key]) }
    }

    /// The live instance holding session `sid`, or nil when no record is left (closed, or its instance dead).
    public func owner(of sid: String) async -> Owner? {
        guard let value = try? await client.send(["GET", key(sid)]).string else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return Owner(instanceID: String(parts[0]), address: String(parts[1]))
    }

    /// Rewrites this instance's records every ``interval`` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await refresh()
        }
    }

    private func refresh() async {
        guard let value = recordValue else { return }
        let sids = recorded.withLockedValue { Array($0) }
        let milliseconds = "\(timeToLive.redisMilliseconds)"
        var start = 0
        while start < sids.count {
            let batch = sids[start..<min(start + Self.refreshBatch, sids.count)]
            _ = try? await client.pipeline(batch.map { ["SET", key($0), value, "PX", milliseconds] })
            start += Self.refreshBatch
        }
    }

    private var recordValue: String? {
        address.withLockedValue { $0 }.map { "\(instanceID) \($0)" }
    }

    private func key(_ sid: String) -> String {
        "\(keyPrefix):{sid:\(sid)}:owner"
    }
}
