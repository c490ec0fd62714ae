import Herald
import HeraldServer
import Testing

/// `presence:` of a site in `sites.yml`: off when absent or `false`, the default grace for `true`, `graceSeconds`
/// read and bounded, and refused on a site without user rooms.
@Suite struct SitePresenceConfigurationTests {
    private static let site = "demo:\n  authUrl: http://a.example/rooms\n  apiKey: k\n  userRoomPrefix: user_\n"

    @Test func presenceIsOffUnlessAskedFor() throws {
        let loaded = try loadStrings(sites: Self.site + "other:\n  authUrl: http://b.example/rooms\n  apiKey: k2\n  presence: false\n")
        #expect(loaded.configuration.sites["demo"]?.presence == nil)
        #expect(loaded.configuration.sites["other"]?.presence == nil)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func trueTakesTheDefaultGraceAndAMappingSetsIt() throws {
        #expect(
            try loadStrings(sites: Self.site + "  presence: true\n").configuration.sites["demo"]?.presence == SitePresence(graceSeconds: 5)
        )
        let mapped = try loadStrings(sites: Self.site + "  presence:\n    graceSeconds: 0\n")
        #expect(mapped.configuration.sites["demo"]?.presence == SitePresence(graceSeconds: 0))
        #expect(mapped.warnings.isEmpty)
        #expect(try loadStrings(sites: Self.site + "  presence: {}\n").configuration.sites["demo"]?.presence == SitePresence())
    }

    @Test func unknownKeysAreWarnedAbout() throws {
        let loaded = try loadStrings(sites: Self.site + "  presence: {grace: 3}\n")
        #expect(loaded.configuration.sites["demo"]?.presence == SitePresence())
        #expect(loaded.warnings.count == 1)
    }

    @Test(arguments: [
        (
            "  presence: {graceSeconds: 3601}\n",
            "sites.yml:5:28: demo.presence.graceSeconds: must be a number of seconds from 0 to 3600, found the number 3601"
        ),
        ("  presence: maybe\n", "sites.yml:5:13: demo.presence: must be true or false, found a string"),
    ])
    func invalidValuesAreRefusedWithTheirLocation(line: String, expected: String) {
        #expect(loadError(sites: Self.site + line)?.description == expected)
    }

    @Test func presenceNeedsUserRooms() {
        let sites = "demo:\n  authUrl: http://a.example/rooms\n  apiKey: k\n  presence: true\n"
        #expect(
            loadError(sites: sites)?.description
                == "sites.yml:4:13: demo.presence: needs userRoomPrefix: presence lists users, known by their user rooms"
        )
    }
}
