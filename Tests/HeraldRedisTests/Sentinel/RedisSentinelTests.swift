import HeraldRedis
import NIOConcurrencyHelpers
import Testing

/// A `get-master-addr-by-name` answer naming 127.0.0.1:`port`, as a sentinel sends it.
func sentinelAnswer(port: Int) -> String {
    let portText = String(port)
    return "*2\r\n$9\r\n127.0.0.1\r\n$\(portText.utf8.count)\r\n\(portText)\r\n"
}

/// A Sentinel configuration for the master `m` behind sentinels on `ports`, with short timeouts.
func sentinelConfiguration(ports: [Int]) throws -> RedisConfiguration {
    let sentinels = ports.map { RedisNodeAddress(host: "127.0.0.1", port: $0) }
    var configuration = RedisConfiguration(sentinel: try RedisSentinelConfiguration(sentinels: sentinels, masterName: "m"))
    configuration.connectTimeout = .seconds(1)
    configuration.commandTimeout = .milliseconds(500)
    configuration.reconnectBackoff = RedisReconnectBackoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))
    return configuration
}

/// The reason of the outage `client` is in, once it is in one.
func outageReason(of client: RedisClient) async -> String? {
    for await state in client.stateChanges() {
        if case .disconnected(let reason) = state {
            return reason
        }
        if state == .connected || state == .closed {
            return nil
        }
    }
    return nil
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct RedisSentinelTests {
    @Test func sentinelsThatAreDownSilentGarbledOrIgnorantAreSkipped() async throws {
        let master = try await RedisServerProcess.start()
        defer { master.stop() }
        let down = try ClosedPort()
        let silent = try await ScriptedRESPServer.start { _ in "" }
        let garbled = try await ScriptedRESPServer.start { _ in "this is not RESP\r\n" }
        let ignorant = try await ScriptedRESPServer.start { _ in "*-1\r\n" }
        let knowing = try await ScriptedRESPServer.start { _ in sentinelAnswer(port: master.port) }
        let configuration = try sentinelConfiguration(ports: [down.port, silent.port, garbled.port, ignorant.port, knowing.port])
        let client = try RedisClient(configuration: configuration)
        try await client.waitUntilConnected(timeout: .seconds(10))
        _ = try await client.send(["SET", "found", "through-sentinel"])

        let direct = try RedisClient(configuration: try testConfiguration(for: master))
        try await direct.waitUntilConnected(timeout: .seconds(5))
        #expect(try await direct.send(["GET", "found"]).string == "through-sentinel")
        await direct.close()
        await client.close()
        for server in [silent, garbled, ignorant, knowing] {
            try await server.stop()
        }
    }

    @Test func noSentinelKnowingTheMasterMeansUnavailableUntilOneDoes() async throws {
        let master = try await RedisServerProcess.start()
        defer { master.stop() }
        let knows = NIOLockedValueBox(false)
        let sentinels = [
            try await ScriptedRESPServer.start { _ in knows.withLockedValue { $0 } ? sentinelAnswer(port: master.port) : "*-1\r\n" },
            try await ScriptedRESPServer.start { _ in "-ERR no such master\r\n" },
        ]
        let client = try RedisClient(configuration: try sentinelConfiguration(ports: sentinels.map(\.port)))
        let reason = await outageReason(of: client)
        #expect(reason?.contains("no sentinel named the master \"m\"") == true, "got \(String(describing: reason))")
        #expect(reason?.contains("does not know the master") == true, "each sentinel's reason is listed")
        #expect(reason?.contains("no such master") == true, "each sentinel's reason is listed")
        #expect(await redisError { _ = try await client.send(["PING"]) } == .unavailable)

        knows.withLockedValue { $0 = true }
        try await client.waitUntilConnected(timeout: .seconds(10))
        #expect(try await client.send(["PING"]).string == "PONG")
        await client.close()
        for server in sentinels {
            try await server.stop()
        }
    }

    @Test func aReplicaNamedMasterIsNotUsed() async throws {
        let master = try await RedisServerProcess.start()
        defer { master.stop() }
        let replica = try await RedisServerProcess.start(.init(extraArguments: ["--replicaof", "127.0.0.1", String(master.port)]))
        defer { replica.stop() }
        let named = NIOLockedValueBox(replica.port)
        let sentinel = try await ScriptedRESPServer.start { _ in sentinelAnswer(port: named.withLockedValue { $0 }) }
        let client = try RedisClient(configuration: try sentinelConfiguration(ports: [sentinel.port]))
        let reason = await outageReason(of: client)
        #expect(reason?.contains("answers ROLE with \"slave\"") == true, "got \(String(describing: reason))")
        #expect(await redisError { _ = try await client.send(["SET", "k", "v"]) } == .unavailable)

        named.withLockedValue { $0 = master.port }
        try await client.waitUntilConnected(timeout: .seconds(10))
        _ = try await client.send(["SET", "k", "v"])
        await client.close()
        try await sentinel.stop()
    }

    /// Both nodes stay masters and nobody closes the client's connection: only the `+switch-master` announcement can
    /// move it. The announcing "sentinel" is a plain Redis (it has pub/sub; its error to `SENTINEL` makes the query
    /// ask the next sentinel, a scripted one naming the current master).
    @Test func aSwitchAnnouncedOnASentinelMovesClientAndSubscriber() async throws {
        let old = try await RedisServerProcess.start()
        defer { old.stop() }
        let new = try await RedisServerProcess.start()
        defer { new.stop() }
        let announcer = try await RedisServerProcess.start()
        defer { announcer.stop() }
        let named = NIOLockedValueBox(old.port)
        let scripted = try await ScriptedRESPServer.start { _ in sentinelAnswer(port: named.withLockedValue { $0 }) }
        let configuration = try sentinelConfiguration(ports: [announcer.port, scripted.port])
        let client = try RedisClient(configuration: configuration)
        try await client.waitUntilConnected(timeout: .seconds(10))
        #expect(try await client.send(["CONFIG", "GET", "port"]).array?.last?.int == old.port)
        let received = NIOLockedValueBox<[String]>([])
        let subscriber = try RedisSubscriber(configuration: configuration) { message in
            received.withLockedValue { $0.append(message.text) }
        }
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        try await subscriber.subscribe(["news"])

        let bus = try RedisClient(configuration: try testConfiguration(for: announcer))
        try await bus.waitUntilConnected(timeout: .seconds(5))
        let watchers = await eventually {
            (try? await bus.send(["PUBSUB", "NUMSUB", "+switch-master"]))?.array?.last?.int == 2
        }
        #expect(watchers, "the client and the subscriber should each watch +switch-master")
        named.withLockedValue { $0 = new.port }
        _ = try await bus.send(["PUBLISH", "+switch-master", "m 127.0.0.1 \(old.port) 127.0.0.1 \(new.port)"])

        let moved = await eventually {
            (try? await client.send(["CONFIG", "GET", "port"]))?.array?.last?.int == new.port
        }
        #expect(moved, "the client should reconnect to the announced master")
        let publisher = try RedisClient(configuration: try testConfiguration(for: new))
        try await publisher.waitUntilConnected(timeout: .seconds(5))
        let heard = await eventually {
            _ = try? await publisher.send(["PUBLISH", "news", "on-new-master"])
            return received.withLockedValue { $0.contains("on-new-master") }
        }
        #expect(heard, "the subscriber should resubscribe on the announced master")
        for closing in [client, bus, publisher] {
            await closing.close()
        }
        await subscriber.close()
        try await scripted.stop()
    }

    /// The sentinel the client watched dies, and the master moves before another sentinel is watched: the
    /// announcement is missed, so the client asks again once it watches the next sentinel.
    @Test func aSwitchMissedWhileNoSentinelWasWatchedIsCaughtUp() async throws {
        let old = try await RedisServerProcess.start()
        defer { old.stop() }
        let new = try await RedisServerProcess.start()
        defer { new.stop() }
        let announcer = try await RedisServerProcess.start()
        defer { announcer.stop() }
        let named = NIOLockedValueBox(old.port)
        let scripted = try await ScriptedRESPServer.start { _ in sentinelAnswer(port: named.withLockedValue { $0 }) }
        let client = try RedisClient(configuration: try sentinelConfiguration(ports: [announcer.port, scripted.port]))
        try await client.waitUntilConnected(timeout: .seconds(10))
        let bus = try RedisClient(configuration: try testConfiguration(for: announcer))
        try await bus.waitUntilConnected(timeout: .seconds(5))
        let watching = await eventually {
            (try? await bus.send(["PUBSUB", "NUMSUB", "+switch-master"]))?.array?.last?.int == 1
        }
        #expect(watching, "the client should watch +switch-master on the first sentinel")
        await bus.close()

        named.withLockedValue { $0 = new.port }
        announcer.kill()
        let caughtUp = await eventually {
            (try? await client.send(["CONFIG", "GET", "port"]))?.array?.last?.int == new.port
        }
        #expect(caughtUp, "the client should move to the master the next sentinel names")
        await client.close()
        try await scripted.stop()
    }

    @Test func clientAndSubscriberFollowAFailover() async throws {
        let master = try await RedisServerProcess.start()
        defer { master.stop() }
        let replica = try await RedisServerProcess.start(.init(extraArguments: ["--replicaof", "127.0.0.1", String(master.port)]))
        defer { replica.stop() }
        let sentinel = try await RedisSentinelProcess.start(masterName: "m", masterPort: master.port)
        defer { sentinel.stop() }
        try await sentinel.waitForLog("+slave")

        let configuration = try sentinelConfiguration(ports: [sentinel.port])
        let client = try RedisClient(configuration: configuration)
        try await client.waitUntilConnected(timeout: .seconds(10))
        #expect(try await client.send(["CONFIG", "GET", "port"]).array?.last?.int == master.port)
        let received = NIOLockedValueBox<[String]>([])
        let subscriber = try RedisSubscriber(configuration: configuration) { message in
            received.withLockedValue { $0.append(message.text) }
        }
        try await subscriber.waitUntilConnected(timeout: .seconds(10))
        try await subscriber.subscribe(["news"])

        var admin = try testConfiguration(for: master)
        admin.port = sentinel.port
        let sentinelClient = try RedisClient(configuration: admin)
        try await sentinelClient.waitUntilConnected(timeout: .seconds(5))
        // NOGOODSLAVE until the sentinel has seen the replica in sync.
        let failingOver = await eventually(timeout: .seconds(15)) {
            (try? await sentinelClient.send(["SENTINEL", "FAILOVER", "m"]))?.string == "OK"
        }
        #expect(failingOver, "the sentinel should start a failover")

        let followed = await eventually(timeout: .seconds(20)) {
            (try? await client.send(["CONFIG", "GET", "port"]))?.array?.last?.int == replica.port
        }
        #expect(followed, "the client should reconnect to the promoted replica")
        _ = try await client.send(["SET", "after", "failover"])

        let publisher = try RedisClient(configuration: try testConfiguration(for: replica))
        try await publisher.waitUntilConnected(timeout: .seconds(5))
        let heard = await eventually(timeout: .seconds(20)) {
            _ = try? await publisher.send(["PUBLISH", "news", "from-new-master"])
            return received.withLockedValue { $0.contains("from-new-master") }
        }
        #expect(heard, "the subscriber should resubscribe on the promoted replica")
        for closing in [client, sentinelClient, publisher] {
            await closing.close()
        }
        await subscriber.close()
    }
}
