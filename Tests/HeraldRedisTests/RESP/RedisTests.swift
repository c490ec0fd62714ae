import HeraldRedis
import Testing

/// Every test that starts a redis-server, run one at a time: timing assertions (timeouts, fail-fast) must not
/// compete with other servers for the machine's two cores. Each test starts its own server and stops it.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RedisTests {}

/// A configuration for `server` with short timeouts so failures show quickly.
func testConfiguration(for server: RedisServerProcess, url: String? = nil) throws -> RedisConfiguration {
    var configuration = try RedisConfiguration(url: url ?? server.url)
    configuration.connectTimeout = .seconds(2)
    configuration.commandTimeout = .seconds(2)
    configuration.reconnectBackoff = RedisReconnectBackoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))
    return configuration
}

/// Runs `body` with a fresh server and a connected client, then closes the client and stops the server
/// whatever happened.
func withRedis<T>(
    _ options: RedisServerProcess.Options = .init(),
    configure: (inout RedisConfiguration) -> Void = { _ in },
    _ body: (RedisServerProcess, RedisClient) async throws -> T
) async throws -> T {
    let server = try await RedisServerProcess.start(options)
    var configuration = try testConfiguration(for: server)
    configure(&configuration)
    let client: RedisClient
    do {
        client = try RedisClient(configuration: configuration)
        try await client.waitUntilConnected(timeout: .seconds(5))
    } catch {
        server.stop()
        throw error
    }
    do {
        let result = try await body(server, client)
        await client.close()
        server.stop()
        return result
    } catch {
        await client.close()
        server.stop()
        throw error
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() {
            return true
        }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// The ``RedisError`` `body` throws, or `nil` when it succeeds; any other error is recorded as a test issue.
func redisError(_ body: () async throws -> Void) async -> RedisError? {
    do {
        try await body()
        return nil
    } catch let error as RedisError {
        return error
    } catch {
        Issue.record("expected a RedisError, got \(error)")
        return nil
    }
}

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of `text`, for comparing bulk strings.
    init(utf8 text: String) {
        self = Array(text.utf8)
    }
}
