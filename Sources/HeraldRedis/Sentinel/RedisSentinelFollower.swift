import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Keeps one Redis connection on the current master of a Sentinel group: names the master before every connection
/// attempt (``RedisSentinelQuery``), and tells the connection to reconnect at once when the sentinels switch it.
///
/// The switch is watched on a connection of its own, subscribed on a sentinel to `+switch-master`; when that
/// sentinel goes away the next is used. Messages missed while no sentinel was watched are made up for by asking
/// again after each resubscription: a master other than the one last named counts as a switch.
final class RedisSentinelFollower: Sendable {
    /// The channel on which sentinels announce a new master: `<name> <old ip> <old port> <new ip> <new port>`.
    static let switchChannel = "+switch-master"

    private let query: RedisSentinelQuery
    private let masterName: String
    private let watcher: RedisConnection
    private let pinger: NIOLockedValueBox<RepeatedTask?>
    private let lastNamed: NIOLockedValueBox<RedisNodeAddress?>
    private let onSwitch: NIOLockedValueBox<(@Sendable (String) -> Void)?>
    private let onResubscribed: NIOLockedValueBox<(@Sendable () -> Void)?>

    /// Prepares following the master of `sentinel`, with the timeouts and backoff of `configuration`.
    init(
        configuration: RedisConfiguration,
        sentinel: RedisSentinelConfiguration,
        eventLoop: any EventLoop,
        logger: Logger
    ) throws(RedisError) {
        query = RedisSentinelQuery(configuration: configuration, sentinel: sentinel, eventLoop: eventLoop)
        masterName = sentinel.masterName
        pinger = NIOLockedValueBox(nil)
        lastNamed = NIOLockedValueBox(nil)
        let switched = NIOLockedValueBox<(@Sendable (String) -> Void)?>(nil)
        onSwitch = switched
        let sentinels = sentinel.sentinels
        let attempts = NIOLockedValueBox(-1)
        let sessions = NIOLockedValueBox(0)
        let masterName = sentinel.masterName
        let resubscribed = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)
        onResubscribed = resubscribed
        let hooks = RedisConnection.Hooks(
            onPush: { value in
                guard let message = RedisPubSubMessage(push: value) else {
                    return false
                }
                if message.channel == Self.switchChannel, message.text.split(separator: " ").first == Substring(masterName) {
                    switched.withLockedValue { $0 }?("Sentinel announced \(message.text)")
                }
                return true
            },
            sessionReady: { channel in
                let replies = channel.eventLoop.makePromise(of: [RedisValue].self)
                RedisConnection.write(
                    RedisRequest(commands: [RedisCommand("SUBSCRIBE", [Self.switchChannel])], promise: replies),
                    to: channel
                )
                let count = sessions.withLockedValue { sessions in
                    sessions += 1
                    return sessions
                }
                if count > 1 {
                    resubscribed.withLockedValue { $0 }?()
                }
            },
            address: {
                let attempt = attempts.withLockedValue { attempts in
                    attempts += 1
                    return attempts
                }
                return sentinels[attempt % sentinels.count]
            }
        )
        var watcherLogger = logger
        watcherLogger[metadataKey: "sentinelWatch"] = "\(Self.switchChannel)"
        watcher = try RedisConnection(
            configuration: configuration.sentinelNode(sentinels[0], of: sentinel),
            eventLoop: eventLoop,
            logger: watcherLogger,
            hooks: hooks
        )
    }

    /// Starts watching; `onSwitch` is called with a reason whenever the master changed.
    func start(onSwitch: @escaping @Sendable (String) -> Void) {
        self.onSwitch.withLockedValue { $0 = onSwitch }
        onResubscribed.withLockedValue { check in
            check = { [weak self] in self?.checkMaster() }
        }
        let watcher = self.watcher
        let interval = TimeAmount.seconds(5)
        let task = watcher.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            guard let channel = try? watcher.channel() else {
                return
            }
            let replies = channel.eventLoop.makePromise(of: [RedisValue].self)
            RedisConnection.write(RedisRequest(commands: [RedisCommand("PING")], promise: replies), to: channel)
        }
        pinger.withLockedValue { $0 = task }
        watcher.start()
    }

    /// The master's address as the sentinels name it now.
    func masterAddress() -> EventLoopFuture<RedisNodeAddress> {
        query.masterAddress().map { address in
            self.lastNamed.withLockedValue { $0 = address }
            return address
        }
    }

    /// Stops watching.
    func close() -> EventLoopFuture<Void> {
        pinger.withLockedValue { $0 }?.cancel()
        return watcher.close()
    }

    /// Fails unless `role`, the reply to `ROLE`, says `master`.
    static func requireMaster(_ role: RedisValue, at address: RedisNodeAddress) throws(RedisSentinelError) {
        let name = role.array?.first?.string ?? role.string ?? "?"
        guard name == "master" else {
            throw RedisSentinelError.notMaster(address, role: name)
        }
    }

    /// After watching resumed: a master other than the one last named means a switch was missed.
    private func checkMaster() {
        let before = lastNamed.withLockedValue { $0 }
        masterAddress().whenSuccess { now in
            if let before, before != now {
                self.onSwitch.withLockedValue { $0 }?("the master moved from \(before) to \(now) while no sentinel was watched")
            }
        }
    }
}
