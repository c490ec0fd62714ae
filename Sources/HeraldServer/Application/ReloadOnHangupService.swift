import ServiceLifecycle
import UnixSignals

/// On each SIGHUP (what `herald reload --pid` sends) until graceful shutdown, reloads the sites and, with native
/// TLS, the certificate; each is refused on its own when invalid.
struct ReloadOnHangupService: Service {
    /// SIGHUP, trapped before the server starts so an early signal reloads instead of killing the process.
    let hangups: UnixSignalsSequence
    let sites: SitesReloader?
    let certificate: CertificateReloader?

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            sites?.reloadSites()
            certificate?.reloadCertificate()
        }
    }
}
