/// The `eventServer:` section of `config.yml`: the event-server drop-in (backends `POST /event`, WebSocket listeners
/// subscribe to event types) and its bounds.
public struct EventServerSettings: Sendable, Hashable {
    /// File of accepted tokens, one per line (lines shorter than ``EventTokens/minimumLength`` are ignored).
    public var tokensFile: String
    /// Extra port answering `POST /event` as the original's listen server did; nil serves it on Herald's port only.
    /// 0 lets the system choose (reported in the port file).
    public var listenPort: Int?
    /// Extra port taking listener WebSockets on any path, as the original's broadcast server did; nil serves them at
    /// `GET /events` on Herald's port only. 0 lets the system choose.
    public var broadcastPort: Int?
    /// Serve the extra ports over TLS (`HTTPS_ENABLE=true`, as the original).
    public var httpsEnabled: Bool = false
    /// The TLS private key (PEM) for ``httpsEnabled``.
    public var certificateKeyFile: String = "/certs/cert.key"
    /// The TLS certificate chain (PEM) for ``httpsEnabled``.
    public var certificateFile: String = "/certs/cert.crt"

    /// The files of ``httpsEnabled`` as TLS settings, served like Herald's own `tls:` (TLS 1.2 or later).
    public var tlsSettings: TLSSettings {
        TLSSettings(certificatePath: certificateFile, privateKeyPath: certificateKeyFile)
    }
    /// Largest `POST /event` body; bigger ones are answered 413.
    public var maxBodyBytes: Int = 1 << 20
    /// Largest message a listener may send (its init message); bigger ones close it with 1009.
    public var maxMessageBytes: Int = 64 << 10
    /// Most event types one listener subscribes to; an init message naming more closes it with 1008.
    public var maxEventTypes: Int = 256
    /// Most listener WebSockets open at once on this instance; more are answered 503.
    public var maxListeners: Int = 10_000
    /// How long a listener may stay connected without a successful init message before it is closed with 1008.
    public var initTimeout: Duration = .seconds(10)

    /// Settings reading tokens from `tokensFile`, with the defaults above.
    public init(tokensFile: String) {
        self.tokensFile = tokensFile
    }
}
