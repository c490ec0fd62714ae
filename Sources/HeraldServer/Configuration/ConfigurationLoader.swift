public import Herald

/// Builds Herald's configuration from `config.yml`, `sites.yml` and the environment, the way the Node service did,
/// and refuses anything invalid with the file, line, column and key to fix.
///
/// Precedence: explicit paths beat `HERALD_CONFIG` / `HERALD_SITES`, which beat `./config.yml` / `./sites.yml`;
/// `PORT`, `REDIS_URL` and `DEVICE_TTL` beat the file; `SITE_NAME` replaces `sites.yml` entirely.
public struct ConfigurationLoader: Sendable {
    private let environment: EnvironmentVariables

    /// Creates a loader reading the given environment (pass `ProcessInfo.processInfo.environment` in production).
    public init(environment: [String: String]) {
        self.environment = EnvironmentVariables(environment)
    }

    /// The section of `config.yml` in use: `HERALD_ENV`, else `NODE_ENV`, else `production`.
    public var environmentName: String {
        environment["HERALD_ENV"] ?? environment["NODE_ENV"] ?? "production"
    }

    /// Reads the files and the environment.
    ///
    /// - Parameters:
    ///   - configPath: `config.yml` to read; nil means `HERALD_CONFIG`, else `config.yml` in the current directory,
    ///     which may be absent (the defaults apply). A path given explicitly or through the environment must exist.
    ///   - sitesPath: `sites.yml` to read; nil means `HERALD_SITES`, else `sites.yml` in the current directory.
    ///     Not read at all when `SITE_NAME` is set.
    public func load(configPath: String? = nil, sitesPath: String? = nil) throws(ConfigurationError) -> LoadedConfiguration {
        let config = chosenPath(explicit: configPath, variable: "HERALD_CONFIG", fallback: "config.yml")
        let maxBytes = try inputLimits().maxFileBytes
        let configYAML = try ConfigurationFile.read(config.path, required: config.required, maxBytes: maxBytes)
        let sites = chosenPath(explicit: sitesPath, variable: "HERALD_SITES", fallback: "sites.yml")
        var warnings: [String] = []
        var sitesYAML: String?
        if environment["SITE_NAME"] != nil {
            if sites.required {
                warnings.append("\(sites.path): ignored because SITE_NAME is set")
            }
        } else {
            sitesYAML = try ConfigurationFile.read(sites.path, required: sites.required, maxBytes: maxBytes)
        }
        var loaded = try load(configYAML: configYAML, configFile: config.path, sitesYAML: sitesYAML, sitesFile: sites.path)
        loaded.warnings.insert(contentsOf: warnings, at: 0)
        return loaded
    }

    /// Builds the configuration from YAML text already in memory, with the same rules as `load(configPath:sitesPath:)`.
    ///
    /// - Parameters:
    ///   - configYAML: the text of `config.yml`, or nil when there is none (the defaults apply).
    ///   - configFile: the name to report in errors and in `filesRead`.
    ///   - sitesYAML: the text of `sites.yml`, or nil when there is none; ignored when `SITE_NAME` is set.
    ///   - sitesFile: the name to report in errors and in `filesRead`.
    public func load(
        configYAML: String?,
        configFile: String,
        sitesYAML: String?,
        sitesFile: String
    ) throws(ConfigurationError) -> LoadedConfiguration {
        var warnings: [String] = []
        let settings = try loadSettings(yaml: configYAML, file: configFile)
        warnings += settings.warnings
        let sites: [String: Site]
        let sitesSource: SitesSource
        if let site = try SingleSiteEnvironment.site(from: environment) {
            sites = [site.name: site]
            sitesSource = .environment
        } else {
            for variable in SingleSiteEnvironment.variables where environment[variable] != nil {
                warnings.append(ConfigurationError.environment(variable, "ignored because SITE_NAME is not set").description)
            }
            guard let sitesYAML else {
                throw SitesParser.noSites(file: sitesFile)
            }
            let parsed = try loadSites(yaml: sitesYAML, file: sitesFile)
            sites = parsed.value
            sitesSource = .file(sitesFile)
            warnings += parsed.warnings
        }
        return LoadedConfiguration(
            configuration: HeraldConfiguration(settings: settings.value, sites: sites),
            environmentName: environmentName,
            configFile: configYAML == nil ? nil : configFile,
            sitesSource: sitesSource,
            warnings: warnings
        )
    }

    /// The settings of this environment's section of `config.yml` text, with `PORT`, `REDIS_URL` and `DEVICE_TTL`
    /// applied; nil text gives the defaults (and the environment overrides).
    public func loadSettings(yaml: String?, file: String) throws(ConfigurationError) -> ConfigurationResult<HeraldSettings> {
        var warnings: [String] = []
        var settings = SettingsParser.defaults
        if let yaml {
            settings = try SettingsParser.parse(section: try section(of: yaml, file: file), warnings: &warnings)
        }
        try EnvironmentOverrides.apply(environment, to: &settings)
        return ConfigurationResult(value: settings, warnings: warnings)
    }

    /// The sites of `sites.yml` text; used at startup and to reload the file while running.
    public func loadSites(yaml: String, file: String) throws(ConfigurationError) -> ConfigurationResult<[String: Site]> {
        var warnings: [String] = []
        let root = try YAMLDocument.parse(yaml, file: file, limits: try inputLimits())
        let sites = try SitesParser.parse(root, file: file, warnings: &warnings)
        return ConfigurationResult(value: sites, warnings: warnings)
    }

    /// The sites from `source` again, read the way startup read them: a reload of `sites.yml` (or, in single-site
    /// mode, of the `SITE_NAME` variables this loader was given).
    public func loadSites(from source: SitesSource) throws(ConfigurationError) -> ConfigurationResult<[String: Site]> {
        switch source {
        case .file(let path):
            guard let yaml = try ConfigurationFile.read(path, required: true, maxBytes: try inputLimits().maxFileBytes) else {
                throw ConfigurationError(file: path, message: "file not found")
            }
            return try loadSites(yaml: yaml, file: path)
        case .environment:
            guard let site = try SingleSiteEnvironment.site(from: environment) else {
                throw ConfigurationError.environment("SITE_NAME", "must be set in single-site mode")
            }
            return ConfigurationResult(value: [site.name: site], warnings: [])
        }
    }

    /// The environment's section of `config.yml`: nil when the section is written with nothing under it.
    private func section(of yaml: String, file: String) throws(ConfigurationError) -> YAMLValue? {
        let name = environmentName
        let root = try YAMLDocument.parse(yaml, file: file, limits: try inputLimits())
        let entries = try root.map { root throws(ConfigurationError) in try root.mapping().entries } ?? []
        guard let entry = entries.first(where: { $0.key == name }) else {
            let sections = entries.map(\.key)
            var message =
                "no section for environment '\(name)' (set HERALD_ENV or NODE_ENV to one of: "
                + (sections.isEmpty ? "none, the file is empty" : sections.joined(separator: ", ")) + ")"
            if sections.contains(where: SettingsParser.knownKeys.contains) {
                message += "; settings go under an environment name, e.g. '\(name):'"
            }
            throw ConfigurationError(file: file, message: message)
        }
        return entry.value.isNull ? nil : entry.value
    }

    /// The bounds on configuration input, with `HERALD_MAX_CONFIG_BYTES` applied.
    private func inputLimits() throws(ConfigurationError) -> ConfigurationInputLimits {
        try ConfigurationInputLimits.from(environment)
    }

    /// The path to read and whether it must exist: a path someone asked for must, the default need not.
    private func chosenPath(explicit: String?, variable: String, fallback: String) -> (path: String, required: Bool) {
        if let explicit {
            return (explicit, true)
        }
        if let fromEnvironment = environment[variable] {
            return (fromEnvironment, true)
        }
        return (fallback, false)
    }
}
