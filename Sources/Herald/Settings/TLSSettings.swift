/// Native TLS on the main port (`tls:` in `config.yml`): where the certificate chain and its private key are read
/// from, and the oldest protocol version accepted.
///
/// Only paths are kept here: the files are read by the server when it starts and again on each SIGHUP, so a renewed
/// certificate is picked up without a restart.
public struct TLSSettings: Sendable, Hashable {
    /// The oldest TLS version a client may negotiate.
    public enum MinimumVersion: String, Sendable, Hashable, CaseIterable {
        /// TLS 1.2 and 1.3 (the default): every client of the last decade.
        case tls12 = "1.2"
        /// TLS 1.3 only.
        case tls13 = "1.3"
    }

    /// PEM file with the server's certificate first, then any intermediate certificates; resolved to a path the
    /// process can open (relative paths in `config.yml` are relative to the file's directory).
    public var certificatePath: String
    /// PEM file with the certificate's private key, unencrypted.
    public var privateKeyPath: String
    /// The oldest TLS version accepted (`minimumVersion`, default 1.2).
    public var minimumVersion: MinimumVersion

    /// Creates TLS settings.
    public init(certificatePath: String, privateKeyPath: String, minimumVersion: MinimumVersion = .tls12) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.minimumVersion = minimumVersion
    }
}
