import Herald

/// Reads a site's client-interaction keys (`subscribeUrl`, `publishUrl`, `rpcUrl`, `maxClientPublishesPerSecond`),
/// keys of the site's own mapping in `sites.yml`; every hook is off unless set.
enum SiteInteractionParser {
    /// The interaction keys of a site.
    static let knownKeys: Set<String> = ["subscribeUrl", "publishUrl", "rpcUrl", "maxClientPublishesPerSecond"]

    static func parse(_ keys: YAMLMapping, warnings: inout [String]) throws(ConfigurationError) -> SiteInteraction {
        let interaction = SiteInteraction(
            subscribeURL: try keys["subscribeUrl"].map(SiteParser.httpURL),
            publishURL: try keys["publishUrl"].map(SiteParser.httpURL),
            rpcURL: try keys["rpcUrl"].map(SiteParser.httpURL),
            maxClientPublishesPerSecond: try keys.positiveInteger(
                "maxClientPublishesPerSecond",
                "a positive number of publishes per second"
            )
        )
        if interaction.publishURL == nil, let rate = keys["maxClientPublishesPerSecond"] {
            warnings.append(rate.warning("has no effect without publishUrl"))
        }
        return interaction
    }
}
