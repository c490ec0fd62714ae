import HeraldServer
import Testing

@Suite struct HeraldEnvironmentOverrideTests {
    private let sites = "demo:\n  apiKey: k\n  tokens:\n    demo-token-alice-0001: [user_alice]\n"

    @Test func hostAndFlakeNumbersComeFromTheEnvironment() throws {
        let loader = ConfigurationLoader(environment: ["HERALD_HOST": "127.0.0.1", "FLAKE_DATACENTER": "3", "FLAKE_WORKER": "31"])
        let loaded = try loader.load(configYAML: nil, configFile: "config.yml", sitesYAML: sites, sitesFile: "sites.yml")
        #expect(loaded.configuration.settings.host == "127.0.0.1")
        #expect(loaded.configuration.settings.flakeDatacenter == 3)
        #expect(loaded.configuration.settings.flakeWorker == 31)
    }

    @Test func flakeNumbersOutOfRangeAreRefusedByName() {
        let loader = ConfigurationLoader(environment: ["FLAKE_WORKER": "32"])
        #expect {
            _ = try loader.load(configYAML: nil, configFile: "config.yml", sitesYAML: sites, sitesFile: "sites.yml")
        } throws: { error in
            "\(error)".contains("FLAKE_WORKER")
        }
    }
}
