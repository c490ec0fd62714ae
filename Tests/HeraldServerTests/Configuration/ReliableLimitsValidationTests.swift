import Herald
import HeraldServer
import Testing

/// `maxDevicesPerUser` and `maxPendingAcksPerSocket` in `sites.yml`: read, defaulted, and refused with their location.
@Suite struct ReliableLimitsValidationTests {
    private static let site = "demo:\n  authUrl: http://a.example/rooms\n  apiKey: k\n  userRoomPrefix: user_\n"

    @Test func bothLimitsAreReadAndDefaultWhenAbsent() throws {
        let sites =
            Self.site + "  maxDevicesPerUser: 3\n  maxPendingAcksPerSocket: 50\n"
            + "other:\n  authUrl: http://b.example/rooms\n  apiKey: k2\n"
        let loaded = try loadStrings(sites: sites)
        let demo = try #require(loaded.configuration.sites["demo"]?.limits)
        #expect(demo == SiteLimits(maxDevicesPerUser: 3, maxPendingAcksPerSocket: 50))
        #expect(demo.devicesPerUser == 3 && demo.pendingAcksPerSocket == 50)
        let other = try #require(loaded.configuration.sites["other"]?.limits)
        #expect(other.devicesPerUser == 20 && other.pendingAcksPerSocket == 1_000)
        #expect(loaded.warnings.isEmpty)
    }

    @Test(arguments: [
        ("  maxDevicesPerUser: 0\n", "sites.yml:5:22: demo.maxDevicesPerUser: must be a positive number of devices, found the number 0"),
        (
            "  maxPendingAcksPerSocket: lots\n",
            "sites.yml:5:28: demo.maxPendingAcksPerSocket: must be a positive number of acks, found a string"
        ),
    ])
    func invalidLimitIsRefusedWithItsLocation(line: String, expected: String) {
        #expect(loadError(sites: Self.site + line)?.description == expected)
    }
}
