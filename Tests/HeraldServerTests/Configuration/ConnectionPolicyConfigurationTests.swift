import Herald
import HeraldServer
import Testing

/// `trustedProxies`, `allowFrom` / `denyFrom` and `maxAuthAttemptsPerMinute` in `config.yml` and `sites.yml`.
@Suite struct ConnectionPolicyConfigurationTests {
    private static let site = "demo:\n  authUrl: http://a.example/rooms\n  apiKey: k\n"

    @Test func theGlobalPolicyIsReadFromTheEnvironmentSection() throws {
        let config = """
            production:
              trustedProxies: [127.0.0.1, "10.0.0.0/8"]
              allowFrom:
                - 192.0.2.0/24
                - "2001:db8::/32"
              denyFrom: 192.0.2.66
              maxAuthAttemptsPerMinute: 30

            """
        let loaded = try loadStrings(config: config)
        let policy = loaded.configuration.settings.connectionPolicy
        #expect(policy.trustedProxies == [try CIDR(parsing: "127.0.0.1/32"), try CIDR(parsing: "10.0.0.0/8")])
        #expect(policy.addresses.allowFrom == [try CIDR(parsing: "192.0.2.0/24"), try CIDR(parsing: "2001:db8::/32")])
        #expect(policy.addresses.denyFrom == [try CIDR(parsing: "192.0.2.66/32")])
        #expect(policy.maxAuthAttemptsPerMinute == 30)
        #expect(loaded.warnings.isEmpty)
        #expect(try loadStrings(config: "production:\n  port: 80\n").configuration.settings.connectionPolicy == ConnectionPolicySettings())
    }

    @Test func aSiteReadsItsOwnListsAndAttemptLimit() throws {
        let sites =
            Self.site + "  allowFrom: [10.0.0.0/8]\n  denyFrom: ['10.6.6.0/24', '::ffff:10.7.0.0/112']\n  maxAuthAttemptsPerMinute: 5\n"
        let loaded = try loadStrings(sites: sites)
        let demo = try #require(loaded.configuration.sites["demo"])
        #expect(demo.addresses.allowFrom == [try CIDR(parsing: "10.0.0.0/8")])
        #expect(demo.addresses.denyFrom == [try CIDR(parsing: "10.6.6.0/24"), try CIDR(parsing: "10.7.0.0/16")])
        #expect(demo.limits.maxAuthAttemptsPerMinute == 5)
        #expect(loaded.warnings.isEmpty)
    }

    @Test(arguments: [
        (
            "  allowFrom: [10.0.0.0/8, 10.0.0.1/8]\n",
            "sites.yml:4:27: demo.allowFrom[1]: \"10.0.0.1/8\" has bits set after its prefix length; did you mean 10.0.0.0/8?"
        ),
        (
            "  denyFrom:\n    - example.com\n",
            "sites.yml:5:7: demo.denyFrom[0]: \"example.com\" is not an IPv4 or IPv6 address or range "
                + "(write 192.0.2.0/24, 2001:db8::/32 or one address)"
        ),
        (
            "  denyFrom: ::/129\n",
            "sites.yml:4:13: demo.denyFrom: \"::/129\" has a prefix length that is not a whole number from 0 to 128"
        ),
        ("  allowFrom: 8\n", "sites.yml:4:14: demo.allowFrom: must be a string, found the number 8"),
        (
            "  maxAuthAttemptsPerMinute: 0\n",
            "sites.yml:4:29: demo.maxAuthAttemptsPerMinute: must be a positive number of attempts, found the number 0"
        ),
    ])
    func aBadSiteEntryIsRefusedWithItsLocation(line: String, expected: String) {
        #expect(loadError(sites: Self.site + line)?.description == expected)
    }

    @Test func aBadGlobalEntryIsRefusedWithItsLocation() {
        #expect(
            loadError(config: "production:\n  trustedProxies:\n    - 127.0.0.1\n    - 127.0.0.256\n")?.description
                == "config.yml:4:7: production.trustedProxies[1]: \"127.0.0.256\" is not an IPv4 or IPv6 address or range "
                + "(write 192.0.2.0/24, 2001:db8::/32 or one address)"
        )
        #expect(
            loadError(config: "production:\n  maxAuthAttemptsPerMinute: lots\n")?.description
                == "config.yml:2:29: production.maxAuthAttemptsPerMinute: must be a positive number of attempts, found a string"
        )
    }

    @Test func aReloadReadsNewSiteLists() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = try directory.write("sites.yml", Self.site)
        let reload = SitesReload(loader: ConfigurationLoader(environment: [:]), source: .file(path))
        let before = try reload.load().value
        #expect(before["demo"]?.addresses == AddressPolicy())
        _ = try directory.write("sites.yml", Self.site + "  denyFrom: [127.0.0.1]\n")
        let after = try reload.load().value
        #expect(after["demo"]?.addresses == AddressPolicy(denyFrom: [try CIDR(parsing: "127.0.0.1")]))
        #expect(SiteChanges(from: before, to: after).changed == ["demo"])
    }
}
