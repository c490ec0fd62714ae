public import CoreMetrics
public import EngineIO
import NIOConcurrencyHelpers

/// Herald's metrics, made from an injected `MetricsFactory` (no global bootstrap needed): the server passes a
/// Prometheus factory, tests and embedders may pass nothing and get no-op metrics.
///
/// Nothing here is touched per recipient: a broadcast counts once, so fan-out costs the same with metrics on.
public final class HeraldMetrics: Sendable {
    /// The `site` label of a `/send` that names no configured site.
    public static let unknownSite = "unknown"

    private let factory: any MetricsFactory
    private let sites = NIOLockedValueBox<[String: SiteMetrics]>([:])
    private let backendRequests = NIOLockedValueBox<[BackendRequestKey: Counter]>([:])
    private let reportedClosures = NIOLockedValueBox<[ConnectionClosure: Int]>([:])

    /// One counter of backend requests: `/send` (no command) or a command of ``MetricNames/backendCommands``.
    private struct BackendRequestKey: Hashable {
        let command: String?
        let site: String
        let status: Int
    }

    /// Creates the metrics; without a factory every metric is a no-op.
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// The metrics of the configured site `name` (created on first use, so sites added by a reload count too).
    public func site(_ name: String) -> SiteMetrics {
        let factory = self.factory
        return sites.withLockedValue { sites in
            if let existing = sites[name] { return existing }
            let created = SiteMetrics(site: name, factory: factory)
            sites[name] = created
            return created
        }
    }

    /// Counts a `POST /send` answered with `status`; `site` is a configured site's name or ``unknownSite``.
    public func sendRequest(site: String, status: Int) {
        countBackendRequest(BackendRequestKey(command: nil, site: site, status: status))
    }

    /// Counts a backend's `POST /rpc` or `POST /disconnect` (`command` `rpc` or `disconnect`) answered with `status`;
    /// `site` as for ``sendRequest(site:status:)``.
    public func backendCommand(_ command: String, site: String, status: Int) {
        countBackendRequest(BackendRequestKey(command: command, site: site, status: status))
    }

    private func countBackendRequest(_ key: BackendRequestKey) {
        let factory = self.factory
        let counter = backendRequests.withLockedValue { counters in
            if let existing = counters[key] { return existing }
            let created: Counter
            if let command = key.command {
                created = Counter(
                    label: MetricNames.backendCommands,
                    dimensions: [("site", key.site), ("command", command), ("status", String(key.status))],
                    factory: factory
                )
            } else {
                created = Counter(
                    label: MetricNames.sendRequests,
                    dimensions: [("site", key.site), ("status", String(key.status))],
                    factory: factory
                )
            }
            counters[key] = created
            return created
        }
        counter.increment()
    }

    /// Brings `herald_connections_closed_total{reason}` up to `totals`, the Engine.IO server's counts since it
    /// started (read when metrics are scraped, so a closed connection costs the server no metric call).
    public func connectionClosures(_ totals: [ConnectionClosure: Int]) {
        let factory = self.factory
        reportedClosures.withLockedValue { reported in
            for (closure, total) in totals {
                let delta = total - reported[closure, default: 0]
                reported[closure] = total
                let counter = Counter(
                    label: MetricNames.connectionsClosed,
                    dimensions: [("reason", closure.rawValue)],
                    factory: factory
                )
                if delta > 0 {
                    counter.increment(by: delta)
                }
            }
        }
    }

    /// A gauge of this factory, for values sampled when metrics are read.
    public func gauge(_ label: String, dimensions: [(String, String)]) -> Gauge {
        Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    /// A timer (a histogram with Prometheus) of this factory.
    public func timer(_ label: String, dimensions: [(String, String)] = []) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
    }
}
