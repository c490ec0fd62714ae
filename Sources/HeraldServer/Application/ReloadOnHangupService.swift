import ServiceLifecycle
import UnixSignals

/// Reloads the sites on each SIGHUP (what `herald reload --pid` sends) until graceful shutdown.
struct ReloadOnHangupService: Service {
    /// SIGHUP, trapped before the server starts so an early signal reloads instead of killing the process.
    let hangups: UnixSignalsSequence
    let reloader: SitesReloader

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            reloader.reloadSites()
        }
    }
}
