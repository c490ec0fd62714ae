import Logging

/// Reads the TLS certificate and key again on SIGHUP; files that cannot be served are refused with the error
/// logged, and the running certificate keeps being served (never plain text, never a crash).
struct CertificateReloader: Sendable {
    let store: TLSContextStore
    /// What the log lines call the certificate.
    let name: String
    let logger: Logger

    /// Reloads the certificate; returns whether the new one is served.
    @discardableResult
    func reloadCertificate() -> Bool {
        do {
            let identity = try store.reload()
            logger.info("\(name) reloaded", metadata: identity.summary.mapValues { Logger.MetadataValue.string($0) })
            return true
        } catch {
            logger.error(
                "\(name) reload refused, the running certificate is kept: \(error)",
                metadata: store.current.summary.mapValues { Logger.MetadataValue.string($0) }
            )
            return false
        }
    }
}
