import Herald
import Logging
import ServiceLifecycle

/// The last step of a graceful shutdown, after the HTTP side stopped: waits until every client's disconnect is
/// recorded in the message store (their devices' `device_ttl` clock starts), then leaves the cluster (`leave` stops
/// the heartbeats and the `herald:send` consumer, then takes this instance out of the registry).
struct DrainService: Service {
    let service: HeraldService
    let timeout: Duration
    let leave: @Sendable () async -> Void
    /// Runs as soon as the graceful shutdown starts.
    let onShutdown: @Sendable () -> Void
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        onShutdown()
        let settled = await service.drain(timeout: timeout)
        await leave()
        if settled {
            logger.info("drained: every client disconnect recorded")
        } else {
            logger.warning("drain timed out after \(timeout); some disconnects may be recorded by the instance reaper")
        }
    }
}
