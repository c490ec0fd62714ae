import Herald

/// Reads a site's `presence:`: `true` (the default grace), `false` (off, as when absent) or a mapping
/// `{graceSeconds: 0..3600}`. Presence lists users, so a site with it needs `userRoomPrefix`.
enum SitePresenceParser {
    static let knownKeys: Set<String> = ["graceSeconds"]
    /// Longest grace accepted: an hour.
    static let maxGraceSeconds = 3600

    static func parse(_ value: YAMLValue, userRoomPrefix: String?, warnings: inout [String]) throws(ConfigurationError)
        -> SitePresence?
    {
        let presence: SitePresence
        if case .mapping = value.node {
            let keys = try value.mapping()
            keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
            var mapped = SitePresence()
            if let grace = keys["graceSeconds"] {
                mapped.graceSeconds = try grace.integer(in: 0...maxGraceSeconds, "a number of seconds from 0 to \(maxGraceSeconds)")
            }
            presence = mapped
        } else {
            guard try value.boolean() else { return nil }
            presence = SitePresence()
        }
        guard userRoomPrefix != nil else {
            throw value.error("needs userRoomPrefix: presence lists users, known by their user rooms")
        }
        return presence
    }
}
