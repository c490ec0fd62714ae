import CoreMetrics
import Logging
import NIOConcurrencyHelpers

/// Counts the messages one bounded buffer between Herald and Redis had to give up, and logs them once per burst: a
/// warning at the first drop, and a notice with the total when a message gets through again. A flood of drops thus
/// costs two log lines, not one per message, while the counter `herald_redis_dropped_messages_total{buffer,reason}`
/// keeps the exact number.
final class DroppedMessages: Sendable {
    /// Why a message was dropped.
    enum Reason: String, Sendable, CaseIterable {
        /// The buffer already held its maximum number of bytes.
        case bufferFull = "buffer_full"
        /// Redis could not be reached (or did not answer), so the message never got there.
        case redisUnavailable = "redis_unavailable"
    }

    private struct Burst {
        var dropped = 0
        var bytes = 0
    }

    /// The buffer's name in the metric label and the log.
    let buffer: String
    private let counters: [Reason: Counter]
    private let logger: Logger
    private let burst = NIOLockedValueBox<Burst?>(nil)

    /// Creates the counter of `buffer`, whose metrics come from `factory`.
    init(buffer: String, factory: any MetricsFactory, logger: Logger) {
        self.buffer = buffer
        self.logger = logger
        var counters: [Reason: Counter] = [:]
        for reason in Reason.allCases {
            counters[reason] = Counter(
                label: RedisMetricNames.droppedMessages,
                dimensions: [("buffer", buffer), ("reason", reason.rawValue)],
                factory: factory
            )
        }
        self.counters = counters
    }

    /// Records that a message of `bytes` bytes was dropped for `reason`; logs a warning if it starts a burst.
    func drop(_ reason: Reason, bytes: Int) {
        counters[reason]?.increment()
        let first = burst.withLockedValue { current in
            let first = current == nil
            current = Burst(dropped: (current?.dropped ?? 0) + 1, bytes: (current?.bytes ?? 0) + bytes)
            return first
        }
        guard first else { return }
        let why =
            switch reason {
            case .bufferFull: "the buffer is full (cluster.maxBufferBytes)"
            case .redisUnavailable: "Redis did not take them"
            }
        logger.warning(
            "messages dropped: \(why); counted in \(RedisMetricNames.droppedMessages), one line when they flow again",
            metadata: ["buffer": "\(buffer)", "reason": "\(reason.rawValue)"]
        )
    }

    /// Records that a message got through; ends a burst of drops with a notice of how many were lost.
    func passed() {
        guard
            let ended = burst.withLockedValue({ current -> Burst? in
                defer { current = nil }
                return current
            })
        else { return }
        logger.notice(
            "messages flow again after \(ended.dropped) were dropped",
            metadata: ["buffer": "\(buffer)", "dropped": "\(ended.dropped)", "droppedBytes": "\(ended.bytes)"]
        )
    }
}
