import Herald

/// Reads a site's limits (`maxConnections`, `maxSendsPerSecond`, `maxPayloadBytes`, `maxRoomsPerClient`), keys of the
/// site's own mapping in `sites.yml`; an absent key keeps the documented default.
enum SiteLimitsParser {
    /// The limit keys of a site.
    static let knownKeys: Set<String> = ["maxConnections", "maxSendsPerSecond", "maxPayloadBytes", "maxRoomsPerClient"]

    static func parse(_ keys: YAMLMapping) throws(ConfigurationError) -> SiteLimits {
        var limits = SiteLimits()
        if let maxConnections = keys["maxConnections"] {
            limits.maxConnections = try maxConnections.integer(in: 1...Int.max, "a positive number of connections")
        }
        if let maxSends = keys["maxSendsPerSecond"] {
            limits.maxSendsPerSecond = try maxSends.integer(in: 1...Int.max, "a positive number of messages per second")
        }
        if let maxPayload = keys["maxPayloadBytes"] {
            limits.maxPayloadBytes = try maxPayload.integer(in: 1...Int.max, "a positive number of bytes")
        }
        if let maxRooms = keys["maxRoomsPerClient"] {
            limits.maxRoomsPerClient = try maxRooms.integer(in: 1...Int.max, "a positive number of rooms")
        }
        return limits
    }
}
