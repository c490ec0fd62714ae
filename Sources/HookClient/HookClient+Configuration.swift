extension HookClient {
    /// Limits and identity shared by every call a client makes.
    public struct Configuration: Sendable, Hashable {
        /// Whole-transfer limit for requests that set no `timeout`; hooks sit on a client's connect path, so
        /// a slow site must not hold connections open for long.
        public var defaultTimeout: Duration
        /// Limit for establishing TCP (and TLS); the effective value never exceeds the request's own timeout.
        public var connectTimeout: Duration
        /// Largest body accepted; hook answers are small JSON, so anything larger is a misbehaving site.
        public var maxResponseBytes: Int
        /// Sent as `User-Agent` unless a request sets its own.
        public var userAgent: String
        /// Open connections per host; further calls to that host wait inside libcurl for a free one.
        public var maxConnectionsPerHost: Int
        /// Open connections in total, also the size of the idle-connection cache that makes reuse work.
        public var maxTotalConnections: Int
        /// A PEM file of CA certificates that replaces the system bundle for HTTPS, for sites behind a private CA.
        public var caBundlePath: String?

        /// Creates a configuration; the defaults suit hooks answered within a few seconds by a handful of sites.
        public init(
            defaultTimeout: Duration = .seconds(5),
            connectTimeout: Duration = .seconds(3),
            maxResponseBytes: Int = 1 << 20,
            userAgent: String = "herald",
            maxConnectionsPerHost: Int = 128,
            maxTotalConnections: Int = 1024,
            caBundlePath: String? = nil
        ) {
            self.defaultTimeout = defaultTimeout
            self.connectTimeout = connectTimeout
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxTotalConnections = maxTotalConnections
            self.caBundlePath = caBundlePath
        }
    }
}
