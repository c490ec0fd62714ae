import Foundation
import HeraldServer
import Testing

@Suite struct ConfigurationFileTests {
    @Test func explicitPathsAreReadAndReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let config = try directory.write("herald.yml", "production:\n  port: 4000\n")
        let sites = try directory.write("tenants.yml", validSites)
        let loaded = try ConfigurationLoader(environment: [:]).load(configPath: config, sitesPath: sites)
        #expect(loaded.configuration.settings.port == 4000)
        #expect(loaded.filesRead == [config, sites])
        #expect(loaded.configFile == config)
        #expect(loaded.sitesSource == .file(sites))
    }

    @Test func environmentPathsAreUsedAndExplicitPathsBeatThem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let fromEnvironment = try directory.write("env.yml", "production:\n  port: 4001\n")
        let explicit = try directory.write("explicit.yml", "production:\n  port: 4002\n")
        let sites = try directory.write("sites.yml", validSites)
        let loader = ConfigurationLoader(environment: ["HERALD_CONFIG": fromEnvironment, "HERALD_SITES": sites])
        #expect(try loader.load().configuration.settings.port == 4001)
        #expect(try loader.load().filesRead == [fromEnvironment, sites])
        #expect(try loader.load(configPath: explicit).configuration.settings.port == 4002)
    }

    @Test func aPathSomeoneAskedForMustExist() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let missing = directory.path("missing.yml")
        let sites = try directory.write("sites.yml", validSites)
        #expect(throws: ConfigurationError(file: missing, message: "file not found")) {
            try ConfigurationLoader(environment: [:]).load(configPath: missing, sitesPath: sites)
        }
        #expect(throws: ConfigurationError(file: missing, message: "file not found")) {
            try ConfigurationLoader(environment: ["HERALD_CONFIG": missing, "HERALD_SITES": sites]).load()
        }
        let config = try directory.write("config.yml", "production:\n")
        #expect(throws: ConfigurationError(file: missing, message: "file not found")) {
            try ConfigurationLoader(environment: [:]).load(configPath: config, sitesPath: missing)
        }
    }

    @Test func aDirectoryIsNotAConfigFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(environment: [:]).load(configPath: directory.url.path, sitesPath: directory.url.path)
        }
        #expect(error?.description == "\(directory.url.path): is a directory, expected a YAML file")
    }

    @Test func singleSiteModeDoesNotReadTheSitesFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let config = try directory.write("config.yml", "production:\n")
        let missingSites = directory.path("sites.yml")
        let environment = ["SITE_NAME": "shop", "AUTH_URL": "https://shop.example/rooms", "API_KEY": "k"]
        let loaded = try ConfigurationLoader(environment: environment).load(configPath: config, sitesPath: missingSites)
        #expect(loaded.filesRead == [config])
        #expect(loaded.sitesSource == .environment)
        #expect(loaded.warnings == ["\(missingSites): ignored because SITE_NAME is set"])
    }
}
