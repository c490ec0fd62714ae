import EngineIO

/// Reads a site's `permessageDeflate:`: `true` (compress messages of 1024 bytes and more), `false` (off, as when
/// absent) or a mapping `{threshold: bytes}`.
enum SitePermessageDeflateParser {
    static let knownKeys: Set<String> = ["threshold"]
    /// The largest threshold accepted (64 MiB): beyond any message a client could be sent.
    static let maxThreshold = 64 << 20

    static func parse(_ value: YAMLValue, warnings: inout [String]) throws(ConfigurationError) -> MessageCompression? {
        guard case .mapping = value.node else {
            return try value.boolean() ? MessageCompression() : nil
        }
        let keys = try value.mapping()
        keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
        var compression = MessageCompression()
        if let threshold = keys["threshold"] {
            compression.threshold = try threshold.integer(in: 0...maxThreshold, "a number of bytes from 0 to \(maxThreshold)")
        }
        return compression
    }
}
