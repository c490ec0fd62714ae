import Herald
import Logging
import ServiceLifecycle

/// The last step of a graceful shutdown, after the HTTP side stopped: waits until every client's disconnect is
/// recorded in the message store (their devices' `device_ttl` clock starts), then takes this instance out of the
/// cluster registry.
struct DrainService: Service {
    let service: HeraldService
    let timeout: Duration
    let retire: @Sendable () async -> Void
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        let settled = await service.drain(timeout: timeout)
        await retire()
        if settled {
            logger.info("drained: every client disconnect recorded")
        } else {
            logger.warning("drain timed out after \(timeout); some disconnects may be recorded by the instance reaper")
        }
    }
}
