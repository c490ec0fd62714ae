import ServiceLifecycle
import UnixSignals

/// On each SIGHUP (what `herald reload --pid` sends) until graceful shutdown, reloads what can be reloaded: the
/// sites, the certificate with native TLS, the event server's tokens file when the event server is on. Each is
/// refused on its own when invalid.
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
