public import Herald

/// The configuration Herald runs on, with what was read to build it and what looked wrong but was accepted.
public struct LoadedConfiguration: Sendable, Hashable {
    /// Settings and sites, after environment overrides.
    public var configuration: HeraldConfiguration
    /// The section of `config.yml` that was used (`HERALD_ENV`, else `NODE_ENV`, else `production`).
    public var environmentName: String
    /// The `config.yml` that was read; nil when the default file does not exist and the defaults apply.
    public var configFile: String?
    /// Where the sites came from.
    public var sitesSource: SitesSource
    /// Warnings to log at startup (unknown keys and the like), in the error format.
    public var warnings: [String]

    /// Creates a loaded configuration.
    public init(
        configuration: HeraldConfiguration,
        environmentName: String,
        configFile: String?,
        sitesSource: SitesSource,
        warnings: [String]
    ) {
        self.configuration = configuration
        self.environmentName = environmentName
        self.configFile = configFile
        self.sitesSource = sitesSource
        self.warnings = warnings
    }

    /// The files actually read, in the order they were read.
    public var filesRead: [String] {
        var files: [String] = []
        if let configFile {
            files.append(configFile)
        }
        if case .file(let sitesFile) = sitesSource {
            files.append(sitesFile)
        }
        return files
    }
}
