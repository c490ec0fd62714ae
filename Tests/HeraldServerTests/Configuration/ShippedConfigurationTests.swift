import Foundation
import Herald
import HeraldServer
import Testing

/// The `config.yml` and `sites.yml` at the repository root are what a first run uses: they must load cleanly.
@Suite struct ShippedConfigurationTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func load(environmentName: String) throws -> LoadedConfiguration {
        try ConfigurationLoader(environment: ["HERALD_ENV": environmentName]).load(
            configPath: root.appendingPathComponent("config.yml").path,
            sitesPath: root.appendingPathComponent("sites.yml").path
        )
    }

    @Test func productionLoadsWithoutWarningsAndRunsInMemory() throws {
        let loaded = try load(environmentName: "production")
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.filesRead.count == 2)
        let settings = loaded.configuration.settings
        #expect(settings.redis == nil)
        #expect(settings.port == 1337)
        #expect(settings.host == "0.0.0.0")
        #expect(settings.io.corsOrigins.isEmpty)
    }

    @Test func developmentLoadsWithoutWarnings() throws {
        let loaded = try load(environmentName: "development")
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.configuration.settings.host == "127.0.0.1")
        #expect(loaded.configuration.settings.redis == nil)
    }

    @Test func theDemoSiteHasTheCredentialsTheDemoPageUses() throws {
        let sites = try load(environmentName: "production").configuration.sites
        #expect(
            sites == [
                "demo": Site(
                    name: "demo",
                    authentication: .tokens([
                        "demo-token-alice-0001": ["user_alice", "demo-news"],
                        "demo-token-bob-00001": ["user_bob", "demo-news"],
                    ]),
                    apiKey: "demo-api-key-not-secret",
                    userRoomPrefix: "user_"
                )
            ]
        )
    }
}
