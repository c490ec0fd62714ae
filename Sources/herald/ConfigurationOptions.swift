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

    /// Loads the configuration for a command run from a terminal: an error is printed to standard error and exits
    /// with 78 (EX_CONFIG); warnings are printed and the configuration returned.
    func loadReportingToTerminal() throws -> LoadedConfiguration {
        let loaded: LoadedConfiguration
        do {
            loaded = try load()
        } catch {
            printToStandardError("herald: \(error)")
            throw ExitCode(78)
        }
        for warning in loaded.warnings {
            printToStandardError("warning: \(warning)")
        }
        return loaded
    }
}
