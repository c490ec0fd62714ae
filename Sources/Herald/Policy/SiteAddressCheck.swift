import Logging
import SocketIO

/// The connection policy of one site, checked first when a client joins its namespace: the site's `allowFrom` /
/// `denyFrom` ("Address not allowed"), then `maxAuthAttemptsPerMinute` for a client that would ask authentication
/// ("Too many authentication attempts"). Neither calls `authUrl`. The address is the one the handshake recorded: the
/// client's, behind `trustedProxies`, for every transport.
struct SiteAddressCheck: Sendable {
    /// The refusal of a client over the site's `maxAuthAttemptsPerMinute`.
    static let tooManyAttempts = "Too many authentication attempts"

    private let attempts: AuthAttemptLimiter
    private let defaultAttemptsPerMinute: Int?
    private let logger: Logger
    private let metrics: HeraldMetrics

    /// Checks counting attempts in `attempts`; a site without its own limit uses `defaultAttemptsPerMinute`.
    init(attempts: AuthAttemptLimiter, defaultAttemptsPerMinute: Int?, logger: Logger, metrics: HeraldMetrics) {
        self.attempts = attempts
        self.defaultAttemptsPerMinute = defaultAttemptsPerMinute
        self.logger = logger
        self.metrics = metrics
    }

    /// Refuses `socket` when `site`'s lists deny its address or, when it `authenticates` (asks `authUrl` or `tokens:`
    /// rather than keeping recovered rooms), when its address is over the site's attempt limit; such an attempt
    /// counts whether or not the client then gets in.
    func check(_ socket: Socket, site: Site, authenticates: Bool, metadata: Logger.Metadata) throws(ConnectError) {
        let perMinute = authenticates ? site.limits.maxAuthAttemptsPerMinute ?? defaultAttemptsPerMinute : nil
        guard !site.addresses.isEmpty || perMinute != nil else { return }
        let text = socket.handshake.address
        let address = text.flatMap { IPAddress($0) }
        var metadata = metadata
        metadata["address"] = text.map { "\($0)" }
        if !site.addresses.permits(address) {
            metrics.site(site.name).handshake(.denied)
            logger.notice("client refused: \(InstanceHandshakePolicy.addressNotAllowed)", metadata: metadata)
            throw ConnectError(InstanceHandshakePolicy.addressNotAllowed, code: .addressNotAllowed)
        }
        if let perMinute, !attempts.admit(address: address, site: site.name, perMinute: perMinute) {
            metrics.site(site.name).handshake(.limited)
            logger.notice("client refused: \(Self.tooManyAttempts)", metadata: metadata)
            throw ConnectError(Self.tooManyAttempts, code: .tooManyAuthAttempts)
        }
    }
}
