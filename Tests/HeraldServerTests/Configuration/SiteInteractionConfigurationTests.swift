import Herald
import HeraldServer
import Testing

/// A site's interaction hooks in `sites.yml`: off when absent, each key read, bad values refused with their location.
@Suite struct SiteInteractionConfigurationTests {
    private static let site = "demo:\n  authUrl: http://a.example/rooms\n  apiKey: k\n"

    @Test func hooksAreOffUnlessSet() throws {
        let loaded = try loadStrings(sites: Self.site)
        #expect(loaded.configuration.sites["demo"]?.interaction == SiteInteraction())
        #expect(loaded.configuration.sites["demo"]?.interaction.isEnabled == false)
    }

    @Test func everyKeyIsRead() throws {
        let sites =
            Self.site
            + "  subscribeUrl: http://a.example/sub\n  publishUrl: https://a.example/pub\n  rpcUrl: http://a.example/rpc\n"
            + "  maxClientPublishesPerSecond: 4\n"
        let loaded = try loadStrings(sites: sites)
        #expect(
            loaded.configuration.sites["demo"]?.interaction
                == SiteInteraction(
                    subscribeURL: "http://a.example/sub",
                    publishURL: "https://a.example/pub",
                    rpcURL: "http://a.example/rpc",
                    maxClientPublishesPerSecond: 4
                )
        )
        #expect(loaded.warnings.isEmpty)
    }

    @Test func aPublishRateWithoutAPublishHookIsAWarning() throws {
        let loaded = try loadStrings(sites: Self.site + "  maxClientPublishesPerSecond: 4\n")
        #expect(loaded.warnings.contains { $0.contains("maxClientPublishesPerSecond: has no effect without publishUrl") })
    }

    @Test(arguments: [
        ("  subscribeUrl: ftp://a.example/sub\n", "sites.yml:4:17: demo.subscribeUrl: must be an absolute http:// or https:// URL"),
        ("  rpcUrl: 12\n", "sites.yml:4:11: demo.rpcUrl: must be a string, found the number 12"),
        (
            "  maxClientPublishesPerSecond: 0\n",
            "sites.yml:4:32: demo.maxClientPublishesPerSecond: must be a positive number of publishes per second, found the number 0"
        ),
    ])
    func invalidValuesAreRefusedWithTheirLocation(line: String, expected: String) {
        #expect(loadError(sites: Self.site + line)?.description == expected)
    }
}
