import Herald

/// Reads a site's `recovery:` mapping: `maxDisconnectionSeconds`, `skipAuth`, `maxEventsPerRoom`; absent keys keep
/// their defaults, so `recovery: {}` turns recovery on with Socket.IO's defaults.
enum SiteRecoveryParser {
    static let knownKeys: Set<String> = ["maxDisconnectionSeconds", "skipAuth", "maxEventsPerRoom"]
    /// Longest window accepted: a day.
    static let maxWindowSeconds = 86_400
    /// Most events per room accepted.
    static let maxEventsPerRoom = 100_000

    static func parse(_ value: YAMLValue, warnings: inout [String]) throws(ConfigurationError) -> SiteRecovery {
        let keys = try value.mapping()
        keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
        var recovery = SiteRecovery()
        if let seconds = keys["maxDisconnectionSeconds"] {
            recovery.maxDisconnectionSeconds = try seconds.integer(
                in: 1...maxWindowSeconds,
                "a number of seconds from 1 to \(maxWindowSeconds)"
            )
        }
        if let skipAuth = keys["skipAuth"] {
            recovery.skipAuth = try skipAuth.boolean()
        }
        if let events = keys["maxEventsPerRoom"] {
            recovery.maxEventsPerRoom = try events.integer(in: 1...maxEventsPerRoom, "a number of events from 1 to \(maxEventsPerRoom)")
        }
        return recovery
    }
}
