import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to Redis that reopens itself: connect (TCP, TLS, `AUTH`, `SELECT`), hand out the channel
/// while it lives, and after any failure try again with backoff until closed.
///
/// Ownership: every transition (connect, attempt finished, connection lost, close) runs on `eventLoop`, the
/// loop of the channel itself, so transitions never race one another. The state sits in a lock as well
/// because callers on any thread read it to fail fast (``RedisError/unavailable``) without hopping threads.
/// Commands never queue here while disconnected: Herald answers 503 instead of buffering without bound.
final class RedisConnection: Sendable {
    /// What the connection's owner adds: a filter for pub/sub messages (``RedisRequestHandler``), a step
    /// run on the event loop after the handshake and before the connection is announced (resubscribing), and
    /// where each attempt connects when that is not the configuration's host and port.
    struct Hooks: Sendable {
        var onPush: (@Sendable (RedisValue) -> Bool)?
        var sessionReady: (@Sendable (any Channel) -> Void)?
        var address: (@Sendable () -> RedisNodeAddress)?

        init(
            onPush: (@Sendable (RedisValue) -> Bool)? = nil,
            sessionReady: (@Sendable (any Channel) -> Void)? = nil,
            address: (@Sendable () -> RedisNodeAddress)? = nil
        ) {
            self.onPush = onPush
            self.sessionReady = sessionReady
            self.address = address
        }
    }

    private enum Phase {
        case idle
        case connecting(EventLoopFuture<any Channel>)
        case connected(any Channel)
        case waiting(Scheduled<Void>)
        case closed
    }

    private struct State {
        var phase = Phase.idle
        var failures = 0
        var visible = RedisConnectionState.connecting
        var observers: [Int: AsyncStream<RedisConnectionState>.Continuation] = [:]
        var nextObserver = 0
        var waiters: [EventLoopPromise<Void>] = []

        /// Publishes a change of kind only: retries within one outage stay one `.disconnected`.
        mutating func show(_ next: RedisConnectionState) -> Bool {
            switch (visible, next) {
            case (.connecting, .connecting), (.connected, .connected), (.disconnected, .disconnected), (.closed, .closed):
                return false
            default:
                visible = next
                for observer in observers.values {
                    observer.yield(next)
                }
                return true
            }
        }
    }

    let configuration: RedisConfiguration
    let eventLoop: any EventLoop
    private let logger: Logger
    private let sslContext: NIOSSLContext?
    private let serverHostname: String?
    private let hooks: Hooks
    private let sentinel: RedisSentinelFollower?
    private let state = NIOLockedValueBox(State())

    /// Prepares the connection without connecting; ``start()`` opens it. Throws when the TLS settings cannot
    /// be loaded (for example a missing CA file), which no retry would fix.
    init(configuration: RedisConfiguration, eventLoop: any EventLoop, logger: Logger, hooks: Hooks = Hooks()) throws(RedisError) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        var logger = logger
        logger[metadataKey: "redis"] = "\(configuration)"
        self.logger = logger
        self.hooks = hooks
        sentinel = try configuration.sentinel.map { (sentinel) throws(RedisError) in
            try RedisSentinelFollower(configuration: configuration, sentinel: sentinel, eventLoop: eventLoop, logger: logger)
        }
        if let tls = configuration.tls {
            var settings = TLSConfiguration.makeClientConfiguration()
            if let caFile = tls.caFile {
                settings.trustRoots = .file(caFile)
            }
            settings.certificateVerification = tls.verifiesCertificate ? .fullVerification : .none
            do {
                sslContext = try NIOSSLContext(configuration: settings)
            } catch {
                throw RedisError.invalidConfiguration("TLS settings cannot be loaded: \(error)")
            }
            let name = tls.serverName ?? configuration.host
            let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
            serverHostname = isAddress ? nil : name
        } else {
            sslContext = nil
            serverHostname = nil
        }
    }

    /// Starts connecting in the background.
    func start() {
        sentinel?.start { [weak self] reason in self?.reconnectNow(reason: reason) }
        eventLoop.execute { self.connect() }
    }

    /// Drops the live connection and connects again at once, skipping any wait for a retry: Sentinel named a new
    /// master. Commands fail with ``RedisError/unavailable`` until the new connection is up.
    func reconnectNow(reason: String) {
        eventLoop.execute {
            let phase = self.state.withLockedValue { $0.phase }
            switch phase {
            case .connected(let channel):
                self.logger.warning("Redis master changed, reconnecting", metadata: ["reason": "\(reason)"])
                channel.close(promise: nil)
            case .waiting(let retry):
                retry.cancel()
                self.state.withLockedValue { $0.phase = .idle }
                self.connect()
            case .connecting(let attempt):
                attempt.hop(to: self.eventLoop).whenSuccess { _ in self.reconnectNow(reason: reason) }
            case .idle, .closed:
                break
            }
        }
    }

    /// The live channel, or why there is none.
    func channel() throws(RedisError) -> any Channel {
        let phase = state.withLockedValue { $0.phase }
        switch phase {
        case .connected(let channel): return channel
        case .closed: throw RedisError.closed
        case .idle, .connecting, .waiting: throw RedisError.unavailable
        }
    }

    var currentState: RedisConnectionState {
        state.withLockedValue { $0.visible }
    }

    /// Sends `commands` as one write and waits for their replies; fails at once when disconnected.
    func execute(_ commands: [RedisCommand], expectedReplies: Int? = nil) async throws(RedisError) -> [RedisValue] {
        do {
            return try await submit(commands, expectedReplies: expectedReplies).get()
        } catch {
            throw Self.redisError(error)
        }
    }

    /// Writes `commands` as one request and returns the future of their replies without waiting for them, so a
    /// caller can keep many requests in flight; fails at once when disconnected. Requests submitted one after the
    /// other (from one thread, or on ``eventLoop``) reach Redis in that order.
    func submit(_ commands: [RedisCommand], expectedReplies: Int? = nil) -> EventLoopFuture<[RedisValue]> {
        let channel: any Channel
        do {
            channel = try self.channel()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let promise = channel.eventLoop.makePromise(of: [RedisValue].self)
        Self.write(RedisRequest(commands: commands, expectedReplies: expectedReplies, promise: promise), to: channel)
        return promise.futureResult
    }

    /// Writes `request` to `channel`, making sure its promise completes even when the channel is already gone.
    static func write(_ request: RedisRequest, to channel: any Channel) {
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            request.promise.fail(redisError(error))
        }
        channel.writeAndFlush(request, promise: written)
    }

    /// A stream of state changes, starting with the current state; it ends when the connection is closed.
    func stateChanges() -> AsyncStream<RedisConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(of: RedisConnectionState.self, bufferingPolicy: .bufferingNewest(32))
        let id: Int? = state.withLockedValue { state in
            continuation.yield(state.visible)
            if case .closed = state.visible {
                return nil
            }
            let id = state.nextObserver
            state.nextObserver += 1
            state.observers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLockedValue { _ = $0.observers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Waits until the connection is up, for startup code and tests that must not begin during `.connecting`.
    func waitUntilConnected(timeout: Duration) async throws(RedisError) {
        let future = eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            let promise = self.eventLoop.makePromise(of: Void.self)
            let immediate: Result<Void, RedisError>? = self.state.withLockedValue { state in
                switch state.phase {
                case .connected: return .success(())
                case .closed: return .failure(.closed)
                case .idle, .connecting, .waiting:
                    state.waiters.append(promise)
                    return nil
                }
            }
            if let immediate {
                promise.completeWith(immediate.mapError { $0 })
                return promise.futureResult
            }
            let timer = self.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                self.state.withLockedValue { $0.waiters.removeAll { $0 == promise } }
                promise.fail(RedisError.timedOut)
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
            return promise.futureResult
        }
        do {
            try await future.get()
        } catch {
            throw Self.redisError(error)
        }
    }

    /// Stops reconnecting and closes the connection; commands fail with ``RedisError/closed`` afterwards.
    func close() -> EventLoopFuture<Void> {
        let sentinelClosed = sentinel?.close() ?? eventLoop.makeSucceededVoidFuture()
        return eventLoop.flatSubmit {
            let (previous, waiters, observers) = self.state.withLockedValue { state in
                let previous = state.phase
                state.phase = .closed
                _ = state.show(.closed)
                let waiters = state.waiters
                let observers = state.observers
                state.waiters = []
                state.observers = [:]
                return (previous, waiters, observers)
            }
            for waiter in waiters {
                waiter.fail(RedisError.closed)
            }
            for observer in observers.values {
                observer.finish()
            }
            switch previous {
            case .connected(let channel):
                return channel.close().recover { _ in }
            case .connecting(let attempt):
                return attempt.flatMap { $0.close() }.recover { _ in }
            case .waiting(let retry):
                retry.cancel()
                return self.eventLoop.makeSucceededVoidFuture()
            case .idle, .closed:
                return self.eventLoop.makeSucceededVoidFuture()
            }
        }.and(sentinelClosed).map { _ in }
    }

    private func connect() {
        eventLoop.assertInEventLoop()
        let failures: Int? = state.withLockedValue { state in
            switch state.phase {
            case .idle, .waiting: state.failures
            case .connecting, .connected, .closed: nil
            }
        }
        guard let failures else {
            return
        }
        let attempt = nextAddress(afterFailures: failures).flatMap { address in
            let deadline = NIODeadline.now() + TimeAmount(self.configuration.connectTimeout)
            return self.makeBootstrap().connect(host: address.host, port: address.port).flatMap { channel in
                self.handshake(on: channel, address: address, deadline: deadline).map { channel }.flatMapError { error in
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        }
        state.withLockedValue { $0.phase = .connecting(attempt) }
        attempt.hop(to: eventLoop).whenComplete { result in
            switch result {
            case .success(let channel): self.connected(channel)
            case .failure(let error): self.attemptFailed(error)
            }
        }
    }

    /// Where the next attempt connects: the master Sentinel names, the owner's choice, or the configured address —
    /// for a cluster configuration (a ``RedisSubscriber`` of plain channels, which every node forwards) the seeds in
    /// turn, one more with each failed attempt, so losing one node does not lose the subscription.
    private func nextAddress(afterFailures failures: Int) -> EventLoopFuture<RedisNodeAddress> {
        if let sentinel {
            return sentinel.masterAddress()
        }
        if let address = hooks.address?() {
            return eventLoop.makeSucceededFuture(address)
        }
        let address: RedisNodeAddress =
            switch configuration.topology {
            case .cluster(let seeds) where !seeds.isEmpty: seeds[failures % seeds.count]
            case .cluster, .standalone, .sentinel: RedisNodeAddress(host: configuration.host, port: configuration.port)
            }
        return eventLoop.makeSucceededFuture(address)
    }

    private func makeBootstrap() -> ClientBootstrap {
        let sslContext = self.sslContext
        let serverHostname = self.serverHostname
        let commandTimeout = TimeAmount(configuration.commandTimeout)
        let onPush = hooks.onPush
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    try pipeline.addHandler(RedisReplyDecoder())
                    try pipeline.addHandler(RedisCommandEncoder())
                    try pipeline.addHandler(RedisRequestHandler(commandTimeout: commandTimeout, onPush: onPush))
                }
            }
    }

    /// `AUTH` and `SELECT` as one pipelined write, or a `PING` when neither is needed, so that a TLS handshake
    /// that never finishes is caught by the same deadline; with Sentinel also `ROLE`, so that a node demoted since
    /// the sentinels named it is not used.
    private func handshake(on channel: any Channel, address: RedisNodeAddress, deadline: NIODeadline) -> EventLoopFuture<Void> {
        var commands: [RedisCommand] = []
        if let password = configuration.password {
            if let username = configuration.username {
                commands.append(RedisCommand("AUTH", [username, password]))
            } else {
                commands.append(RedisCommand("AUTH", [password]))
            }
        }
        if configuration.database != 0 {
            commands.append(RedisCommand("SELECT", [String(configuration.database)]))
        }
        if sentinel != nil {
            commands.append(RedisCommand("ROLE"))
        } else if commands.isEmpty {
            commands.append(RedisCommand("PING"))
        }
        let names = commands.map(\.name)
        let replies = channel.eventLoop.makePromise(of: [RedisValue].self)
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            replies.fail(RedisError.timedOut)
        }
        replies.futureResult.whenComplete { _ in timer.cancel() }
        Self.write(RedisRequest(commands: commands, promise: replies), to: channel)
        return replies.futureResult.flatMapThrowing { values in
            for (name, value) in zip(names, values) {
                if case .error(let message) = value {
                    throw RedisError.server("\(name) failed: \(message)")
                }
            }
            if self.sentinel != nil, let role = values.last {
                try RedisSentinelFollower.requireMaster(role, at: address)
            }
        }
    }

    private func connected(_ channel: any Channel) {
        let isClosed = state.withLockedValue { state in
            if case .closed = state.phase { true } else { false }
        }
        guard !isClosed else {
            channel.close(promise: nil)
            return
        }
        hooks.sessionReady?(channel)
        let (outageEnded, waiters) = state.withLockedValue { state in
            let outageEnded = if case .disconnected = state.visible { true } else { false }
            state.phase = .connected(channel)
            state.failures = 0
            _ = state.show(.connected)
            let waiters = state.waiters
            state.waiters = []
            return (outageEnded, waiters)
        }
        channel.closeFuture.hop(to: eventLoop).whenComplete { _ in self.connectionClosed(channel) }
        if outageEnded {
            logger.info("Redis connection restored")
        } else {
            logger.debug("connected to Redis")
        }
        for waiter in waiters {
            waiter.succeed()
        }
    }

    private func attemptFailed(_ error: any Error) {
        let reason = Self.describe(error)
        let outcome: (failures: Int, outageBegan: Bool)? = state.withLockedValue { state in
            if case .closed = state.phase {
                return nil
            }
            state.failures += 1
            return (state.failures, state.show(.disconnected(reason: reason)))
        }
        guard let outcome else {
            return
        }
        if outcome.outageBegan {
            logger.warning("Redis unavailable, reconnecting", metadata: ["reason": "\(reason)"])
        } else {
            logger.debug("Redis reconnect attempt failed", metadata: ["reason": "\(reason)", "attempt": "\(outcome.failures)"])
        }
        scheduleReconnect(afterFailures: outcome.failures)
    }

    private func connectionClosed(_ channel: any Channel) {
        let isCurrent = state.withLockedValue { state in
            guard case .connected(let current) = state.phase, current === channel else {
                return false
            }
            state.phase = .idle
            state.failures = 1
            _ = state.show(.disconnected(reason: "the connection closed"))
            return true
        }
        guard isCurrent else {
            return
        }
        logger.warning("Redis connection lost, reconnecting")
        scheduleReconnect(afterFailures: 1)
    }

    private func scheduleReconnect(afterFailures failures: Int) {
        let delay = TimeAmount(configuration.reconnectBackoff.delay(afterFailures: failures))
        let retry = eventLoop.scheduleTask(in: delay) { self.connect() }
        state.withLockedValue { state in
            if case .closed = state.phase {
                retry.cancel()
            } else {
                state.phase = .waiting(retry)
            }
        }
    }

    /// Maps whatever a future failed with to the error callers see.
    static func redisError(_ error: any Error) -> RedisError {
        if let error = error as? RedisError {
            return error
        }
        if let error = error as? ChannelError, error == .ioOnClosedChannel {
            return .unavailable
        }
        return .connectionLost(reason: describe(error))
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            let causes = error.connectionErrors.map { "\($0.target): \($0.error)" }
            return causes.isEmpty ? "cannot connect to \(error.host):\(error.port)" : causes.joined(separator: "; ")
        }
        return String(describing: error)
    }
}
