import ArgumentParser
import Foundation
import HeraldServer

/// Where the configuration comes from; shared by `serve`, `check-config` and `reload`.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "config.yml to read (default: $HERALD_CONFIG or ./config.yml).")
    var configPath: String?

    @Option(name: .customLong("sites"), help: "sites.yml to read (default: $HERALD_SITES or ./sites.yml).")
    var sitesPath: String?

    /// The loader reading this process's environment.
    var loader: ConfigurationLoader {
        ConfigurationLoader(environment: ProcessInfo.processInfo.environment)
    }

    /// Loads and validates the configuration; errors name the file, line and key.
    func load() throws(ConfigurationError) -> LoadedConfiguration {
        try loader.load(configPath: configPath, sitesPath: sitesPath)
    }
}
