import Herald
import HeraldServer
import Testing

@Suite struct MergeKeyTests {
    @Test func anEnvironmentInheritsAndOverridesAnAnchoredBlock() throws {
        let config = """
            defaults: &defaults
              port: 2000
              device_ttl: 120
              io:
                pingTimeout: 60000
            production:
              <<: *defaults
              port: 2001
            """
        let settings = try loadStrings(config: config).configuration.settings
        #expect(settings.port == 2001)
        #expect(settings.deviceTTL == 120)
        #expect(settings.io.pingTimeout == 60000)
    }

    @Test func inAListOfMergesTheEarlierMappingWins() throws {
        let config = """
            base: &base
              port: 3000
              device_ttl: 10
            override: &override
              port: 3001
            production:
              <<: [*override, *base]
            """
        let settings = try loadStrings(config: config).configuration.settings
        #expect(settings.port == 3001)
        #expect(settings.deviceTTL == 10)
    }

    @Test func aNestedMappingReplacesTheMergedOneAsAWhole() throws {
        let config = """
            defaults: &defaults
              io:
                pingTimeout: 60000
            production:
              <<: *defaults
              io:
                pingInterval: 1000
            """
        let io = try loadStrings(config: config).configuration.settings.io
        #expect(io.pingInterval == 1000)
        #expect(io.pingTimeout == IOSettings().pingTimeout)
    }

    @Test func anErrorInAMergedValuePointsAtTheLineWhereItIsWritten() {
        let config = """
            defaults: &defaults
              port: 0
            production:
              <<: *defaults
            """
        let error = loadError(config: config)
        #expect(error?.description == "config.yml:2:9: production.port: must be an integer between 1 and 65535, found the number 0")
    }

    @Test func mergingSomethingOtherThanAMappingIsAnError() {
        let error = loadError(config: "production:\n  <<: 5\n")
        #expect(error?.file == "config.yml")
        #expect(error?.line == 2)
        #expect(error?.column == 7)
        #expect(error?.keyPath == "production.<<")
    }

    @Test func sitesShareSettingsThroughMergeKeys() throws {
        let sites = """
            first: &common
              authUrl: https://auth.example/rooms
              authScheme: Token
              apiKey: first-key
            second:
              <<: *common
              apiKey: second-key
            """
        let loaded = try loadStrings(sites: sites)
        let second = try #require(loaded.configuration.sites["second"])
        #expect(
            second
                == Site(name: "second", authentication: .authURL("https://auth.example/rooms"), authScheme: "Token", apiKey: "second-key")
        )
        #expect(loaded.configuration.sites["first"]?.apiKey == "first-key")
        #expect(loaded.warnings.isEmpty)
    }
}
