import NIOCore
import NIOPosix

/// The bench's clients (in the run's ``ClientProtocol``), spread round-robin over the event loops (each loop with its own recorder) and
/// over the loopback source addresses.
final class ClientFleet: Sendable {
    /// The outcome of one connection storm.
    struct ConnectResult: Sendable {
        /// Clients the server admitted.
        var joined = 0
        /// Failed clients by ``JoinFailure/reason``.
        var failures: [String: Int] = [:]
        /// Seconds from the first connect to the last outcome.
        var seconds = 0.0
    }

    private let loops: [any EventLoop]
    private let recorders: [LoopRecorder]
    private let targets: [ServerTarget]
    private let addresses: [SocketAddress]
    private let settings: ClientSettings
    private let channels = ChannelList()

    /// Creates a fleet on `group`'s loops for the servers at `targets` (client i connects to the (i mod n)-th),
    /// resolving their hosts once so a storm of connects measures the servers rather than the resolver.
    init(group: MultiThreadedEventLoopGroup, targets: [ServerTarget], settings: ClientSettings) throws {
        precondition(!targets.isEmpty, "a fleet needs a server")
        self.addresses = try targets.map { try SocketAddress.makeAddressResolvingHost($0.host, port: $0.port) }
        self.loops = Array(group.makeIterator())
        self.recorders = loops.map { _ in LoopRecorder() }
        self.targets = targets
        self.settings = settings
    }

    /// Connects clients `0..<count`, at most `concurrency` of them setting up at a time.
    func connect(count: Int, concurrency: Int) async -> ConnectResult {
        var result = ConnectResult()
        let started = ContinuousClock.now
        await withTaskGroup(of: JoinFailure?.self) { group in
            var next = 0
            func launch() {
                let index = next
                next += 1
                group.addTask { await self.join(index) }
            }
            while next < min(count, max(1, concurrency)) { launch() }
            for await failure in group {
                if let failure {
                    result.failures[failure.reason, default: 0] += 1
                } else {
                    result.joined += 1
                }
                if next < count { launch() }
            }
        }
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }

    /// Closes client `index`'s connection on purpose (the reliable scenario's drops); true when it was open.
    func drop(_ index: Int) async -> Bool {
        guard let channel = channels.take(index) else { return false }
        try? await channel.close()
        return true
    }

    /// Connects client `index` and waits until the server admitted it; nil on success. `reconnected` marks a
    /// client that comes back with the token and device id of a connection the bench dropped.
    func join(_ index: Int, reconnected: Bool = false) async -> JoinFailure? {
        let loop = loops[index % loops.count]
        let recorder = recorders[index % loops.count]
        let joined = loop.makePromise(of: Void.self)
        let target = index % targets.count
        let identity = settings.identity(index, target: targets[target], reconnected: reconnected)
        let timeout = settings.joinTimeout
        let client = settings.client
        do {
            let channel = try await ClientBootstrap(group: loop)
                .bind(to: SourceAddresses.forClient(index))
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let join = JoinSignal(promise: joined, timeout: timeout)
                        let handler = client.makeHandler(identity: identity, recorder: recorder, join: join)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(to: addresses[target])
                .get()
            channels.set(index, channel)
        } catch {
            joined.fail(JoinFailure.connect("\(error)"))
        }
        do {
            try await joined.futureResult.get()
            return nil
        } catch let failure as JoinFailure {
            return failure
        } catch {
            return .connect("\(error)")
        }
    }

    /// Distinct receipts so far over all clients.
    var uniqueDeliveries: Int { recorders.reduce(0) { $0 + $1.unique } }

    /// Everything recorded so far, merged over the loops.
    var tally: DeliveryTally {
        recorders.reduce(into: DeliveryTally()) { $0.merge($1.snapshot) }
    }

    /// Closes every client connection.
    func closeAll() async {
        for channel in channels.drain() { try? await channel.close() }
    }
}
