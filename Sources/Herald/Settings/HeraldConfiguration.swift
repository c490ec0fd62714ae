/// Everything Herald runs on: the process settings and the sites.
public struct HeraldConfiguration: Sendable, Hashable {
    /// Process-wide settings.
    public var settings: HeraldSettings
    /// The sites, by name.
    public var sites: [String: Site]

    /// Creates a configuration.
    public init(settings: HeraldSettings, sites: [String: Site]) {
        self.settings = settings
        self.sites = sites
    }
}
