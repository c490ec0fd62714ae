import ArgumentParser
import Foundation
import HeraldServer

/// Where the configuration comes from; shared by `serve` and `check-config`.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "config.yml to read (default: $HERALD_CONFIG or ./config.yml).")
    var configPath: String?

    @Option(name: .customLong("sites"), help: "sites.yml to read (default: $HERALD_SITES or ./sites.yml).")
    var sitesPath: String?

    /// Loads and validates the configuration; errors name the file, line and key.
    func load() throws(ConfigurationError) -> LoadedConfiguration {
        try ConfigurationLoader(environment: ProcessInfo.processInfo.environment).load(configPath: configPath, sitesPath: sitesPath)
    }
}
