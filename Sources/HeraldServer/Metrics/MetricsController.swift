public import Herald
public import Hummingbird

/// `GET /metrics`: every metric in the Prometheus text format. Gauges of live state (sockets by transport, queued
/// messages) are sampled at each scrape, so the delivery path does no bookkeeping for them.
public struct MetricsController: Sendable {
    private let metrics: ServerMetrics
    private let service: HeraldService

    /// Creates the controller printing `metrics`, sampling gauges from `service`.
    public init(metrics: ServerMetrics, service: HeraldService) {
        self.metrics = metrics
        self.service = service
    }

    /// Adds the route to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/metrics") { _, _ in
            await sampleGauges()
            metrics.logLinesDropped.update()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer()))
            )
        }
    }

    private func sampleGauges() async {
        let herald = service.metrics
        herald.connectionClosures(service.engine.connectionClosures.snapshot)
        for site in await service.localSiteSummaries() {
            for (transport, count) in site.socketsByTransport {
                herald.gauge(MetricNames.connectedSockets, dimensions: [("site", site.name), ("transport", transport)])
                    .record(count)
            }
        }
        guard let store = service.store as? any QueueDepthSampling else { return }
        let depths = store.queuedMessagesBySite()
        for site in service.sites.all {
            herald.gauge(MetricNames.queueDepth, dimensions: [("site", site.name)]).record(depths[site.name] ?? 0)
        }
    }
}
