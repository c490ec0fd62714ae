public import Herald

/// How to read the sites again while running: the loader and source used at startup, so a reload reads
/// `sites.yml` (or the `SITE_NAME` variables) exactly as startup did.
public struct SitesReload: Sendable {
    private let loader: ConfigurationLoader
    /// Where the sites come from.
    public let source: SitesSource

    /// A reload of `source` with `loader`.
    public init(loader: ConfigurationLoader, source: SitesSource) {
        self.loader = loader
        self.source = source
    }

    /// The sites as they are now, or the error that keeps the running ones in place.
    public func load() throws(ConfigurationError) -> ConfigurationResult<[String: Site]> {
        try loader.loadSites(from: source)
    }
}
