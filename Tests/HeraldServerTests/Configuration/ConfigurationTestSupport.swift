import Foundation
import HeraldServer
import Testing

/// A loader over `environment` that reads YAML text: the tests' way into the real loading rules without files.
func loadStrings(
    config: String? = nil,
    sites: String? = validSites,
    environment: [String: String] = [:]
) throws(ConfigurationError) -> LoadedConfiguration {
    try ConfigurationLoader(environment: environment).load(
        configYAML: config,
        configFile: "config.yml",
        sitesYAML: sites,
        sitesFile: "sites.yml"
    )
}

/// The error that loading raises, or nil (recorded as a test failure) when it loads.
func loadError(
    config: String? = nil,
    sites: String? = validSites,
    environment: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigurationError? {
    do {
        let loaded = try loadStrings(config: config, sites: sites, environment: environment)
        Issue.record("expected an error, loaded \(loaded)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A minimal valid `sites.yml`, for tests about `config.yml`.
let validSites = """
    shop:
      authUrl: https://shop.example/rooms
      apiKey: shop-key
    """

/// A directory under the temporary directory, removed by `cleanUp`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the directory and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// The path `name` would have in the directory, whether or not it exists.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: url)
    }
}
