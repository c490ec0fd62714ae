import CoreMetrics
import NIOConcurrencyHelpers

/// The metrics of one site. Every label value is the site's configured name or a fixed word, never a room or user.
public final class SiteMetrics: Sendable {
    /// The site's name, the `site` label.
    public let site: String
    private let handshakes: [HandshakeOutcome: Counter]
    private let authHookDuration: CoreMetrics.Timer
    private let emitted: Counter
    private let queued: Counter
    private let acked: Counter
    private let replayed: Counter
    private let devicesEvicted: Counter
    private let devicesRefused: Counter
    private let liveEmitsDeferred: Counter
    private let emittedTotal = NIOLockedValueBox<Int>(0)
    private let commands = NIOLockedValueBox<[CommandKey: Counter]>([:])
    private let factory: any MetricsFactory

    private struct CommandKey: Hashable {
        let command: String
        let outcome: String
    }

    init(site: String, factory: any MetricsFactory) {
        self.site = site
        self.factory = factory
        let dimensions = [("site", site)]
        var handshakes: [HandshakeOutcome: Counter] = [:]
        for outcome in HandshakeOutcome.allCases {
            handshakes[outcome] = Counter(
                label: MetricNames.handshakes,
                dimensions: dimensions + [("outcome", outcome.rawValue)],
                factory: factory
            )
        }
        self.handshakes = handshakes
        authHookDuration = CoreMetrics.Timer(label: MetricNames.authHookDuration, dimensions: dimensions, factory: factory)
        emitted = Counter(label: MetricNames.messagesEmitted, dimensions: dimensions, factory: factory)
        queued = Counter(label: MetricNames.messagesQueued, dimensions: dimensions, factory: factory)
        acked = Counter(label: MetricNames.messagesAcked, dimensions: dimensions, factory: factory)
        replayed = Counter(label: MetricNames.messagesReplayed, dimensions: dimensions, factory: factory)
        devicesEvicted = Counter(label: MetricNames.devicesEvicted, dimensions: dimensions, factory: factory)
        devicesRefused = Counter(label: MetricNames.devicesRefused, dimensions: dimensions, factory: factory)
        liveEmitsDeferred = Counter(label: MetricNames.liveEmitsDeferred, dimensions: dimensions, factory: factory)
    }

    /// Counts a client's attempt to join the site.
    public func handshake(_ outcome: HandshakeOutcome) {
        handshakes[outcome]?.increment()
    }

    /// Records how long the site's authUrl took to answer (or to fail).
    public func authHook(took duration: Duration) {
        let (seconds, attoseconds) = duration.components
        authHookDuration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Counts one message emitted to the site's rooms and the device queues that stored it.
    public func sent(storedDevices: Int) {
        emitted.increment()
        emittedTotal.withLockedValue { $0 += 1 }
        if storedDevices > 0 { queued.increment(by: storedDevices) }
    }

    /// Counts messages a device acknowledged (live or in a `_batch`).
    public func acknowledged(_ count: Int) {
        acked.increment(by: count)
    }

    /// Counts messages sent again to a device that was away, in its `_batch`.
    public func replayed(_ count: Int) {
        replayed.increment(by: count)
    }

    /// Counts devices forgotten to make room for a new one under `maxDevicesPerUser`.
    public func evictedDevices(_ count: Int) {
        if count > 0 { devicesEvicted.increment(by: count) }
    }

    /// Counts a new device refused because its user's devices were all connected.
    public func refusedDevice() {
        devicesRefused.increment()
    }

    /// Counts a live emit left queued because the socket was at `maxPendingAcksPerSocket`.
    public func deferredLiveEmit() {
        liveEmitsDeferred.increment()
    }

    /// Counts a client's request (`command` without its `_`) and how it ended (`ok` or the error code). Counters are
    /// made on first use, so a site whose clients send none shows none.
    public func clientCommand(_ command: String, outcome: String) {
        let key = CommandKey(command: command, outcome: outcome)
        let counter = commands.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: MetricNames.clientCommands,
                dimensions: [("site", site), ("command", command), ("outcome", outcome)],
                factory: factory
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Messages emitted to the site since start (the admin page derives messages per second from it).
    public var messagesEmitted: Int {
        emittedTotal.withLockedValue { $0 }
    }
}

extension SiteMetrics {
    /// Runs `authenticate`, recording its duration when `site` asks an authUrl (a `tokens:` table is no hook call).
    func timingAuthentication<Value>(
        of site: Site,
        _ authenticate: () async throws(AuthenticationError) -> Value
    ) async throws(AuthenticationError) -> Value {
        guard case .authURL = site.authentication else { return try await authenticate() }
        let start = ContinuousClock.now
        defer { authHook(took: ContinuousClock.now - start) }
        return try await authenticate()
    }
}
