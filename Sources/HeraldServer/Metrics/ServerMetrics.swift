public import Herald
import HeraldRedis
public import Prometheus

/// The Prometheus registry the server owns and the metrics made from it; `GET /metrics` prints the registry.
///
/// Nothing is bootstrapped globally: the service, the Redis client and the event-loop probe get their metrics
/// from ``factory``, so two servers in one process (as in tests) keep separate counts.
public struct ServerMetrics: Sendable {
    /// Where every metric is registered.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing to ``registry``, with Herald's histogram buckets.
    public let factory: PrometheusMetricsFactory
    /// Herald's domain metrics; create the `HeraldService` with them.
    public let herald: HeraldMetrics
    /// Lines `logOutput` dropped, brought up to date at each scrape.
    let logLinesDropped: LogLinesDroppedMetric

    /// A fresh registry; `logOutput` is the log output whose dropped lines `/metrics` reports.
    public init(logOutput: JSONLinesOutput = .standardOutput) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            MetricNames.authHookDuration: Self.hookBuckets,
            MetricNames.eventLoopLag: Self.fastBuckets,
            RedisMetricNames.commandDuration: Self.fastBuckets,
        ]
        self.registry = registry
        self.factory = factory
        herald = HeraldMetrics(factory: factory)
        logLinesDropped = LogLinesDroppedMetric(registry: registry, output: logOutput)
    }

    /// Buckets for an HTTP hook: 5 ms to 10 s.
    static let hookBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Buckets for work that should take well under a millisecond: 100 µs to 1 s.
    static let fastBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .seconds(1),
    ]
}
