import Herald

/// Reads a site's limits (`maxConnections`, `maxSendsPerSecond`, `maxPayloadBytes`, `maxRoomsPerClient`,
/// `maxDevicesPerUser`, `maxPendingAcksPerSocket`, `maxAuthAttemptsPerMinute`), keys of the site's own mapping in `sites.yml`; an absent key keeps
/// the documented default.
enum SiteLimitsParser {
    /// The limit keys of a site.
    static let knownKeys: Set<String> = [
        "maxConnections", "maxSendsPerSecond", "maxPayloadBytes", "maxRoomsPerClient",
        "maxDevicesPerUser", "maxPendingAcksPerSocket", "maxAuthAttemptsPerMinute",
    ]

    static func parse(_ keys: YAMLMapping) throws(ConfigurationError) -> SiteLimits {
        SiteLimits(
            maxConnections: try keys.positiveInteger("maxConnections", "a positive number of connections"),
            maxSendsPerSecond: try keys.positiveInteger("maxSendsPerSecond", "a positive number of messages per second"),
            maxPayloadBytes: try keys.positiveInteger("maxPayloadBytes", "a positive number of bytes"),
            maxRoomsPerClient: try keys.positiveInteger("maxRoomsPerClient", "a positive number of rooms"),
            maxDevicesPerUser: try keys.positiveInteger("maxDevicesPerUser", "a positive number of devices"),
            maxPendingAcksPerSocket: try keys.positiveInteger("maxPendingAcksPerSocket", "a positive number of acks"),
            maxAuthAttemptsPerMinute: try keys.positiveInteger("maxAuthAttemptsPerMinute", "a positive number of attempts")
        )
    }
}
