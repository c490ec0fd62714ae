import EngineIO
import Herald
import HeraldServer
import NIOCore
import Testing

/// Per-site limits in `sites.yml`, the connection rate in `config.yml`, and re-reading the sites for a reload.
@Suite struct LimitsValidationTests {
    private static let site = "demo:\n  authUrl: http://a.example/rooms\n  apiKey: k\n"

    @Test func everyLimitIsReadAndAbsentOnesKeepTheirDefaults() throws {
        let sites =
            Self.site
            + "  maxConnections: 500\n  maxSendsPerSecond: 20\n  maxPayloadBytes: 2048\n  maxRoomsPerClient: 8\n"
            + "other:\n  authUrl: http://b.example/rooms\n  apiKey: k2\n"
        let loaded = try loadStrings(sites: sites)
        #expect(
            loaded.configuration.sites["demo"]?.limits
                == SiteLimits(maxConnections: 500, maxSendsPerSecond: 20, maxPayloadBytes: 2048, maxRoomsPerClient: 8)
        )
        #expect(loaded.configuration.sites["other"]?.limits == SiteLimits())
        #expect(loaded.warnings.isEmpty)
    }

    @Test(arguments: [
        ("  maxConnections: 0\n", "sites.yml:4:19: demo.maxConnections: must be a positive number of connections, found the number 0"),
        (
            "  maxSendsPerSecond: ten\n",
            "sites.yml:4:22: demo.maxSendsPerSecond: must be a positive number of messages per second, found a string"
        ),
        ("  maxPayloadBytes: -1\n", "sites.yml:4:20: demo.maxPayloadBytes: must be a positive number of bytes, found the number -1"),
        ("  maxRoomsPerClient: 1.5\n", "sites.yml:4:22: demo.maxRoomsPerClient: must be a positive number of rooms, found the number 1.5"),
    ])
    func invalidLimitIsRefusedWithItsLocation(line: String, expected: String) {
        #expect(loadError(sites: Self.site + line)?.description == expected)
    }

    @Test func connectionRateIsReadFromTheIOSection() throws {
        let config = "production:\n  io:\n    maxConnectionsPerSecond: 50\n    connectionBurst: 200\n"
        let io = try loadStrings(config: config).configuration.settings.io
        #expect(io.maxConnectionsPerSecond == 50)
        #expect(io.connectionBurst == 200)
        let defaults = try loadStrings(config: "production:\n  port: 80\n").configuration.settings.io
        #expect(defaults.maxConnectionsPerSecond == nil && defaults.connectionBurst == nil)
    }

    @Test func connectionTimeoutsAreReadFromTheIOSection() throws {
        let config = "production:\n  io:\n    requestHeaderTimeout: 2500\n    idleConnectionTimeout: 30000\n"
        let engine = try loadStrings(config: config).configuration.settings.io.engineConfiguration
        #expect(engine.requestHeaderTimeout == .milliseconds(2500))
        #expect(engine.idleConnectionTimeout == .seconds(30))
        let defaults = try loadStrings(config: "production:\n  port: 80\n").configuration.settings.io.engineConfiguration
        #expect(defaults.requestHeaderTimeout == .seconds(10) && defaults.idleConnectionTimeout == .seconds(60))
        #expect(
            loadError(config: "production:\n  io:\n    requestHeaderTimeout: 0\n")?.description
                == "config.yml:3:27: production.io.requestHeaderTimeout: must be a positive number of milliseconds, found the number 0"
        )
    }

    @Test func connectTimeoutIsReadFromTheIOSection() throws {
        let io = try loadStrings(config: "production:\n  io:\n    connectTimeout: 400\n").configuration.settings.io
        #expect(io.connectTimeout == 400)
        #expect(try loadStrings(config: "production:\n  port: 80\n").configuration.settings.io.connectTimeout == 45_000)
        #expect(
            loadError(config: "production:\n  io:\n    connectTimeout: -5\n")?.description
                == "config.yml:3:21: production.io.connectTimeout: must be a positive number of milliseconds, found the number -5"
        )
        #expect(
            loadError(config: "production:\n  io:\n    connectTimeout: soon\n")?.description
                == "config.yml:3:21: production.io.connectTimeout: must be a positive number of milliseconds, found a string"
        )
    }

    @Test(arguments: [
        (
            "production:\n  io:\n    maxConnectionsPerSecond: 0\n",
            "config.yml:3:30: production.io.maxConnectionsPerSecond: must be a positive number of new connections per second, found the number 0"
        ),
        (
            "production:\n  io:\n    connectionBurst: 10\n",
            "config.yml:3:22: production.io.connectionBurst: needs maxConnectionsPerSecond (the burst is on top of a rate)"
        ),
    ])
    func invalidConnectionRateIsRefusedWithItsLocation(config: String, expected: String) {
        #expect(loadError(config: config)?.description == expected)
    }

    @Test func reloadReadsTheSitesFileAgainAndReportsItsErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = try directory.write("sites.yml", Self.site)
        let reload = SitesReload(loader: ConfigurationLoader(environment: [:]), source: .file(path))
        #expect(try reload.load().value.keys.sorted() == ["demo"])
        _ = try directory.write("sites.yml", Self.site + "added:\n  authUrl: http://c.example/rooms\n  apiKey: k3\n")
        #expect(try reload.load().value.keys.sorted() == ["added", "demo"])
        _ = try directory.write("sites.yml", Self.site + "  maxConnections: many\n")
        #expect(throws: ConfigurationError.self) { try reload.load() }
        do {
            _ = try reload.load()
        } catch {
            #expect(error.description == "\(path):4:19: demo.maxConnections: must be a positive number of connections, found a string")
        }
    }

    @Test func reloadInSingleSiteModeReadsTheEnvironmentAgain() throws {
        let environment = ["SITE_NAME": "solo", "AUTH_URL": "http://solo.example/rooms", "API_KEY": "solo-key"]
        let reload = SitesReload(loader: ConfigurationLoader(environment: environment), source: .environment)
        #expect(try reload.load().value["solo"]?.apiKey == "solo-key")
    }
}
