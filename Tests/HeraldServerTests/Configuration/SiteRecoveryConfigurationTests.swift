import Herald
import HeraldServer
import Testing

/// `recovery:` of a site in `sites.yml`: off when absent, Socket.IO's defaults for `{}`, each key read, and bad values
/// refused with their location.
@Suite struct SiteRecoveryConfigurationTests {
    private static let site = "demo:\n  authUrl: http://a.example/rooms\n  apiKey: k\n"

    @Test func recoveryIsOffUnlessAskedForAndDefaultsToSocketIOs() throws {
        let loaded = try loadStrings(sites: Self.site + "  recovery: {}\nother:\n  authUrl: http://b.example/rooms\n  apiKey: k2\n")
        #expect(loaded.configuration.sites["other"]?.recovery == nil)
        #expect(
            loaded.configuration.sites["demo"]?.recovery
                == SiteRecovery(maxDisconnectionSeconds: 120, skipAuth: true, maxEventsPerRoom: 1_000)
        )
        #expect(loaded.warnings.isEmpty)
    }

    @Test func everyKeyIsRead() throws {
        let sites = Self.site + "  recovery:\n    maxDisconnectionSeconds: 30\n    skipAuth: false\n    maxEventsPerRoom: 200\n"
        let loaded = try loadStrings(sites: sites)
        #expect(
            loaded.configuration.sites["demo"]?.recovery
                == SiteRecovery(maxDisconnectionSeconds: 30, skipAuth: false, maxEventsPerRoom: 200)
        )
    }

    @Test(arguments: [
        (
            "  recovery: {maxDisconnectionSeconds: 0}\n",
            "sites.yml:4:39: demo.recovery.maxDisconnectionSeconds: must be a number of seconds from 1 to 86400, found the number 0"
        ),
        ("  recovery: {skipAuth: maybe}\n", "sites.yml:4:24: demo.recovery.skipAuth: must be true or false, found a string"),
        ("  recovery: true\n", "sites.yml:4:13: demo.recovery: must be a mapping of keys to values, found the boolean true"),
    ])
    func invalidValuesAreRefusedWithTheirLocation(line: String, expected: String) {
        #expect(loadError(sites: Self.site + line)?.description == expected)
    }
}
