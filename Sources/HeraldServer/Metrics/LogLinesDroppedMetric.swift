import NIOConcurrencyHelpers
import Prometheus

/// `herald_log_lines_dropped_total`: log lines dropped because standard output's reader did not keep up.
///
/// The writer counts drops without touching any metric (it may be in the middle of a drop storm); the counter
/// catches up with that count whenever `/metrics` is read.
final class LogLinesDroppedMetric: Sendable {
    /// The metric's name.
    static let name = "herald_log_lines_dropped_total"

    private let counter: Counter
    private let output: JSONLinesOutput
    private let reported = NIOLockedValueBox(0)

    init(registry: PrometheusCollectorRegistry, output: JSONLinesOutput) {
        counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "herald",
                metricName: "log_lines_dropped",
                unitName: "total",
                helpText: "Log lines dropped because standard output was not read fast enough"
            )
        )
        self.output = output
    }

    /// Adds the drops since the last update to the counter.
    func update() {
        let total = output.droppedLines
        reported.withLockedValue { reported in
            guard total > reported else { return }
            counter.increment(by: Int64(total - reported))
            reported = total
        }
    }
}
