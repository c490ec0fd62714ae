import Herald

/// Reads a site's limits (`maxConnections`, `maxSendsPerSecond`, `maxPayloadBytes`, `maxRoomsPerClient`), keys of the
/// site's own mapping in `sites.yml`; an absent key keeps the documented default.
enum SiteLimitsParser {
    /// The limit keys of a site.
    static let knownKeys: Set<String> = ["maxConnections", "maxSendsPerSecond", "maxPayloadBytes", "maxRoomsPerClient"]

    static func parse(_ keys: YAMLMapping) throws(ConfigurationError) -> SiteLimits {
        SiteLimits(
            maxConnections: try keys.positiveInteger("maxConnections", "a positive number of connections"),
            maxSendsPerSecond: try keys.positiveInteger("maxSendsPerSecond", "a positive number of messages per second"),
            maxPayloadBytes: try keys.positiveInteger("maxPayloadBytes", "a positive number of bytes"),
            maxRoomsPerClient: try keys.positiveInteger("maxRoomsPerClient", "a positive number of rooms")
        )
    }
}
