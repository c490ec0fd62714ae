import HeraldServer

/// `config.yml` and `sites.yml` as an operator (or a process allowed to write them before a reload) may write them.
enum ConfigurationFuzzing {
    private static let minimalSites = "demo:\n  apiKey: demo-key\n"

    /// The first byte picks the file the rest is: `sites.yml` when even, else `config.yml` beside a minimal
    /// `sites.yml`.
    static func load(_ input: UnsafeRawBufferPointer) {
        guard let flags = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        let loader = ConfigurationLoader(environment: [:])
        if flags & 1 == 0 {
            _ = try? loader.load(configYAML: nil, configFile: "config.yml", sitesYAML: text, sitesFile: "sites.yml")
        } else {
            _ = try? loader.load(configYAML: text, configFile: "config.yml", sitesYAML: minimalSites, sitesFile: "sites.yml")
        }
    }
}
