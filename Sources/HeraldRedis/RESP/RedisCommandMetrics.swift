import CoreMetrics
import NIOConcurrencyHelpers

/// Names of the Redis client's metrics.
public enum RedisMetricNames {
    /// Histogram `{command}`: seconds from sending a command (or pipeline) to its reply.
    public static let commandDuration = "herald_redis_command_duration_seconds"
    /// Counter `{command}`: commands that failed (error reply, timeout, connection down); a `NOSCRIPT` reply, which
    /// the client answers by sending the script, is not a failure.
    public static let commandErrors = "herald_redis_command_errors_total"
    /// Counter `{buffer, reason}`: messages a bounded buffer between Herald and Redis dropped — `buffer` is `publish`
    /// (broadcasts and deliveries for other instances) or `send_channel` (`herald:send` messages waiting to be sent);
    /// `reason` is `buffer_full` or `redis_unavailable`.
    public static let droppedMessages = "herald_redis_dropped_messages_total"
}

/// Latency and errors of a ``RedisClient``'s commands, labelled by command name (Herald sends a fixed set, so
/// the label stays bounded); a pipeline counts once as `PIPELINE`.
final class RedisCommandMetrics: Sendable {
    private struct Instruments: Sendable {
        let duration: CoreMetrics.Timer
        let errors: Counter
    }

    private let factory: any MetricsFactory
    private let instruments = NIOLockedValueBox<[String: Instruments]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Runs `operation` (the round trip of `command`), recording its duration and whether it failed.
    func measure<Reply>(
        _ command: String,
        _ operation: () async throws(RedisError) -> Reply
    ) async throws(RedisError) -> Reply {
        let start = ContinuousClock.now
        do {
            let reply = try await operation()
            record(command, duration: ContinuousClock.now - start, failed: false)
            return reply
        } catch {
            record(command, duration: ContinuousClock.now - start, failed: !Self.isScriptCacheMiss(error))
            throw error
        }
    }

    /// Records one round trip of `command` that took `duration`, for callers that wait on a future.
    func record(_ command: String, duration: Duration, failed: Bool) {
        let instruments = self.instruments(for: command)
        instruments.duration.recordNanoseconds(Self.nanoseconds(duration))
        if failed { instruments.errors.increment() }
    }

    private func instruments(for command: String) -> Instruments {
        let factory = self.factory
        return instruments.withLockedValue { table in
            if let existing = table[command] { return existing }
            let dimensions = [("command", command)]
            let created = Instruments(
                duration: CoreMetrics.Timer(label: RedisMetricNames.commandDuration, dimensions: dimensions, factory: factory),
                errors: Counter(label: RedisMetricNames.commandErrors, dimensions: dimensions, factory: factory)
            )
            table[command] = created
            return created
        }
    }

    private static func isScriptCacheMiss(_ error: RedisError) -> Bool {
        if case .server(let message) = error, message.hasPrefix("NOSCRIPT") { return true }
        return false
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
