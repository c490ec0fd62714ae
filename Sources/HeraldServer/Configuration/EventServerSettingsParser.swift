import Herald

/// Reads the `eventServer:` section of `config.yml` (the event-server drop-in).
enum EventServerSettingsParser {
    static let knownKeys: Set<String> = [
        "tokensFile", "listenPort", "broadcastPort", "https", "certificateKeyFile", "certificateFile", "maxBodyBytes",
        "maxMessageBytes", "maxEventTypes", "maxListeners", "initTimeout",
    ]

    static func parse(_ section: YAMLValue, warnings: inout [String]) throws(ConfigurationError) -> EventServerSettings {
        let keys = try section.mapping()
        keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
        guard let tokensFile = keys["tokensFile"] else {
            throw section.missingChild("tokensFile").error("is required: the file of accepted tokens, one per line")
        }
        var settings = EventServerSettings(tokensFile: try tokensFile.nonEmptyString())
        // 0 lets the system choose a port (tests); the bound ports are logged and written to the port file.
        if let port = keys["listenPort"] {
            settings.listenPort = try port.integer(in: 0...65_535, "an integer between 0 and 65535")
        }
        if let port = keys["broadcastPort"] {
            settings.broadcastPort = try port.integer(in: 0...65_535, "an integer between 0 and 65535")
        }
        if let https = keys["https"] {
            settings.httpsEnabled = try https.boolean()
        }
        if let file = keys["certificateKeyFile"] {
            settings.certificateKeyFile = try file.nonEmptyString()
        }
        if let file = keys["certificateFile"] {
            settings.certificateFile = try file.nonEmptyString()
        }
        if let bytes = try keys.positiveInteger("maxBodyBytes", "a positive number of bytes") {
            settings.maxBodyBytes = bytes
        }
        if let bytes = keys["maxMessageBytes"] {
            settings.maxMessageBytes = try bytes.integer(in: 256...(16 << 20), "a number of bytes between 256 and 16777216")
        }
        if let count = try keys.positiveInteger("maxEventTypes", "a positive number of event types") {
            settings.maxEventTypes = count
        }
        if let count = try keys.positiveInteger("maxListeners", "a positive number of listeners") {
            settings.maxListeners = count
        }
        if let timeout = keys["initTimeout"] {
            settings.initTimeout = .milliseconds(try timeout.integer(in: 100...600_000, "milliseconds between 100 and 600000"))
        }
        return settings
    }
}
