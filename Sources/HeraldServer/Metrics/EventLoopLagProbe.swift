import CoreMetrics
import Herald
public import NIOCore
public import ServiceLifecycle

/// Measures event-loop lag: every ``interval`` it submits an empty task to each loop and records how long the
/// task waited to run in `herald_event_loop_lag_seconds`. A loop busy with a long callback shows as a tail.
public struct EventLoopLagProbe: Service {
    /// Time between two measurements of a loop.
    public static let interval: Duration = .seconds(1)

    private let group: any EventLoopGroup
    private let lag: CoreMetrics.Timer

    /// Creates the probe of every loop of `group`, recording into a histogram of `metrics`.
    public init(group: any EventLoopGroup, metrics: ServerMetrics) {
        self.group = group
        lag = metrics.herald.timer(MetricNames.eventLoopLag)
    }

    /// Measures until cancelled or until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for loop in group.makeIterator() {
                    let submitted = NIODeadline.now()
                    guard let ran = try? await loop.submit({ NIODeadline.now() }).get() else { return }
                    lag.recordNanoseconds((ran - submitted).nanoseconds)
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}
