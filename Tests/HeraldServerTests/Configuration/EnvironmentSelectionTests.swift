import Herald
import HeraldServer
import Testing

@Suite struct EnvironmentSelectionTests {
    let config = """
        production:
          port: 1001
        development:
          port: 1002
        staging:
          port: 1003
        """

    @Test func productionIsTheDefaultEnvironment() throws {
        let loaded = try loadStrings(config: config)
        #expect(loaded.environmentName == "production")
        #expect(loaded.configuration.settings.port == 1001)
    }

    @Test func nodeEnvSelectsTheSection() throws {
        let loaded = try loadStrings(config: config, environment: ["NODE_ENV": "development"])
        #expect(loaded.environmentName == "development")
        #expect(loaded.configuration.settings.port == 1002)
    }

    @Test func heraldEnvBeatsNodeEnv() throws {
        let loaded = try loadStrings(config: config, environment: ["HERALD_ENV": "staging", "NODE_ENV": "development"])
        #expect(loaded.environmentName == "staging")
        #expect(loaded.configuration.settings.port == 1003)
    }

    @Test func emptyHeraldEnvCountsAsUnset() throws {
        let loaded = try loadStrings(config: config, environment: ["HERALD_ENV": "", "NODE_ENV": "development"])
        #expect(loaded.configuration.settings.port == 1002)
    }

    @Test func aMissingSectionIsAnErrorNamingFileAndEnvironment() {
        let error = loadError(config: config, environment: ["NODE_ENV": "test"])
        #expect(
            error?.description
                == "config.yml: no section for environment 'test' (set HERALD_ENV or NODE_ENV to one of: production, development, staging)"
        )
    }

    @Test func settingsWrittenWithoutAnEnvironmentGetAHint() {
        let error = loadError(config: "port: 80\n")
        #expect(error?.description.hasSuffix("settings go under an environment name, e.g. 'production:'") == true)
    }

    @Test func anEmptySectionGivesTheNodeDefaults() throws {
        let settings = try loadStrings(config: "development:\nproduction:\n").configuration.settings
        #expect(settings.port == 1337)
        #expect(settings.deviceTTL == 3600)
        #expect(settings.host == "0.0.0.0")
        #expect(settings.redis == nil)
        #expect(settings.hookTimeout == .milliseconds(5000))
        #expect(settings.maxSendBodyBytes == 1_048_576)
        #expect(settings.io == IOSettings())
    }

    @Test func noConfigFileGivesTheDefaults() throws {
        let loaded = try loadStrings(config: nil)
        #expect(loaded.configuration.settings == HeraldSettings(port: 1337, deviceTTL: 3600))
        #expect(loaded.configFile == nil)
        #expect(loaded.filesRead == ["sites.yml"])
    }

    @Test func everyKeyIsRead() throws {
        let settings = try loadStrings(
            config: """
                production:
                  port: 8080
                  host: 127.0.0.1
                  device_ttl: 0
                  redis:
                    url: rediss://:secret@redis.example:6380/2
                  flakeid:
                    datacenter: 3
                    worker: 31
                  io:
                    pingInterval: 10000
                    pingTimeout: 5000
                    maxPayload: 2048
                    cors: https://a.example, http://localhost:8080
                  hooks:
                    timeout: 1500
                  send:
                    maxBodyBytes: 4096
                """
        ).configuration.settings
        #expect(
            settings
                == HeraldSettings(
                    host: "127.0.0.1",
                    port: 8080,
                    deviceTTL: 0,
                    redis: .url("rediss://:secret@redis.example:6380/2"),
                    flakeDatacenter: 3,
                    flakeWorker: 31,
                    io: IOSettings(
                        pingInterval: 10000,
                        pingTimeout: 5000,
                        maxPayload: 2048,
                        corsOrigins: ["https://a.example", "http://localhost:8080"]
                    ),
                    hookTimeout: .milliseconds(1500),
                    maxSendBodyBytes: 4096
                )
        )
    }

    @Test(arguments: [
        ("\"*\"", [String]()),
        ("https://a.example", ["https://a.example"]),
        ("[https://a.example, \"http://b.example:81\"]", ["https://a.example", "http://b.example:81"]),
        ("[https://a.example, \"*\"]", []),
    ])
    func corsAcceptsEveryForm(yaml: String, origins: [String]) throws {
        let settings = try loadStrings(config: "production:\n  io:\n    cors: \(yaml)\n").configuration.settings
        #expect(settings.io.corsOrigins == origins)
    }
}
