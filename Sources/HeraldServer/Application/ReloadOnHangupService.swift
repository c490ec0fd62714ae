import ServiceLifecycle
import UnixSignals

/// Reloads on each SIGHUP (what `herald reload --pid` sends) until graceful shutdown: the sites, and the event
/// server's tokens file when the event server is on.
struct ReloadOnHangupService: Service {
    /// SIGHUP, trapped before the server starts so an early signal reloads instead of killing the process.
    let hangups: UnixSignalsSequence
    let reload: @Sendable () -> Void

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            reload()
        }
    }
}
