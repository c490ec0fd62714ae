/// How a `rediss://` connection checks the server it talks to.
///
/// The defaults verify the server's certificate against the system's trust store and its name (or IP
/// address) against the URL's host, as any TLS client should.
public struct RedisTLSConfiguration: Sendable, Hashable {
    /// A PEM file of certificate authorities to trust instead of the system store, for a private CA.
    public var caFile: String?
    /// Whether to verify the server's certificate and name. Turn off only in tests: without verification
    /// anyone on the path can read the traffic.
    public var verifiesCertificate: Bool
    /// The name sent as SNI and checked against the certificate, when it differs from the host connected to.
    public var serverName: String?

    /// TLS settings; the defaults verify the server against the system trust store.
    public init(caFile: String? = nil, verifiesCertificate: Bool = true, serverName: String? = nil) {
        self.caFile = caFile
        self.verifiesCertificate = verifiesCertificate
        self.serverName = serverName
    }
}
