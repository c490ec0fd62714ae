import Herald

/// Reads the `io:` section (Engine.IO transport settings) of an environment.
enum IOSettingsParser {
    static func parse(_ io: YAMLValue, warnings: inout [String]) throws(ConfigurationError) -> IOSettings {
        var settings = IOSettings()
        let keys = try io.mapping()
        keys.warnAboutUnknownKeys(
            known: [
                "pingInterval", "pingTimeout", "maxPayload", "cors", "maxConnectionsPerSecond", "connectionBurst",
                "requestHeaderTimeout", "idleConnectionTimeout", "connectTimeout",
            ],
            into: &warnings
        )
        settings.pingInterval = try keys.positiveInteger("pingInterval", "a positive number of milliseconds") ?? settings.pingInterval
        settings.pingTimeout = try keys.positiveInteger("pingTimeout", "a positive number of milliseconds") ?? settings.pingTimeout
        settings.maxPayload = try keys.positiveInteger("maxPayload", "a positive number of bytes") ?? settings.maxPayload
        settings.requestHeaderTimeout =
            try keys.positiveInteger("requestHeaderTimeout", "a positive number of milliseconds") ?? settings.requestHeaderTimeout
        settings.idleConnectionTimeout =
            try keys.positiveInteger("idleConnectionTimeout", "a positive number of milliseconds") ?? settings.idleConnectionTimeout
        settings.connectTimeout =
            try keys.positiveInteger("connectTimeout", "a positive number of milliseconds") ?? settings.connectTimeout
        if let cors = keys["cors"] {
            settings.corsOrigins = try corsOrigins(cors)
        }
        settings.maxConnectionsPerSecond = try keys.positiveInteger(
            "maxConnectionsPerSecond",
            "a positive number of new connections per second"
        )
        if let burst = keys["connectionBurst"] {
            guard settings.maxConnectionsPerSecond != nil else {
                throw burst.error("needs maxConnectionsPerSecond (the burst is on top of a rate)")
            }
            settings.connectionBurst = try burst.integer(in: 1...Int.max, "a positive number of connections")
        }
        return settings
    }

    /// The allowed origins; empty means any origin. Accepts `"*"`, one origin, a comma-separated string of origins
    /// or a list of origins, and a `*` anywhere allows every origin.
    static func corsOrigins(_ cors: YAMLValue) throws(ConfigurationError) -> [String] {
        var origins: [(text: String, value: YAMLValue)] = []
        if case .sequence = cors.node {
            for element in try cors.sequence() {
                origins.append((try element.nonEmptyString().trimmingWhitespace, element))
            }
        } else {
            let text = try cors.string()
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                origins.append((String(part).trimmingWhitespace, cors))
            }
        }
        if origins.contains(where: { $0.text == "*" }) {
            return []
        }
        for origin in origins where !ValueFormat.isOrigin(origin.text) {
            throw origin.value.error(
                "\"\(origin.text)\" is not an origin: write scheme://host[:port] without a path, or \"*\" for any origin"
            )
        }
        return origins.map(\.text)
    }
}

extension String {
    /// The string without leading and trailing whitespace, for comma-separated lists written with spaces.
    fileprivate var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
