import Herald
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// TLS for the event server's own ports (`HTTPS_ENABLE=true` / `eventServer.https`), with the key and certificate
/// files of the original (`/certs/cert.key`, `/certs/cert.crt`) or those configured.
struct EventServerTLS: Sendable {
    let configuration: TLSConfiguration

    /// Reads the key and certificate chain; throws when either cannot be read, so the start fails at once.
    init(settings: EventServerSettings) throws {
        let chain = try NIOSSLCertificate.fromPEMFile(settings.certificateFile)
        let key = try NIOSSLPrivateKey(file: settings.certificateKeyFile, format: .pem)
        configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
    }

    /// `base` with TLS in front of it.
    func wrap(_ base: HTTPServerBuilder) throws -> HTTPServerBuilder {
        try .tls(base, tlsConfiguration: configuration)
    }
}
