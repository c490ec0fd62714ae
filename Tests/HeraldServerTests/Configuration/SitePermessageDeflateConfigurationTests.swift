import EngineIO
import Herald
import HeraldServer
import Testing

/// `permessageDeflate:` of a site in `sites.yml`: off when absent or `false`, a 1024-byte threshold for `true`,
/// `threshold` read and bounded.
@Suite struct SitePermessageDeflateConfigurationTests {
    private static let site = "demo:\n  authUrl: http://a.example/rooms\n  apiKey: k\n"

    @Test func compressionIsOffUnlessAskedFor() throws {
        let loaded = try loadStrings(
            sites: Self.site + "other:\n  authUrl: http://b.example/rooms\n  apiKey: k2\n  permessageDeflate: false\n"
        )
        #expect(loaded.configuration.sites["demo"]?.permessageDeflate == nil)
        #expect(loaded.configuration.sites["other"]?.permessageDeflate == nil)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func trueTakesTheDefaultThresholdAndAMappingSetsIt() throws {
        let enabled = try loadStrings(sites: Self.site + "  permessageDeflate: true\n")
        #expect(enabled.configuration.sites["demo"]?.permessageDeflate == MessageCompression(threshold: 1024))
        let mapped = try loadStrings(sites: Self.site + "  permessageDeflate:\n    threshold: 0\n")
        #expect(mapped.configuration.sites["demo"]?.permessageDeflate == MessageCompression(threshold: 0))
        #expect(mapped.warnings.isEmpty)
    }

    @Test func unknownKeysAreWarnedAbout() throws {
        let loaded = try loadStrings(sites: Self.site + "  permessageDeflate: {level: 9}\n")
        #expect(loaded.configuration.sites["demo"]?.permessageDeflate == MessageCompression())
        #expect(loaded.warnings.count == 1)
    }

    @Test(arguments: [
        (
            "  permessageDeflate: {threshold: -1}\n",
            "sites.yml:4:34: demo.permessageDeflate.threshold: must be a number of bytes from 0 to 67108864, found the number -1"
        ),
        ("  permessageDeflate: yes please\n", "sites.yml:4:22: demo.permessageDeflate: must be true or false, found a string"),
    ])
    func invalidValuesAreRefusedWithTheirLocation(line: String, expected: String) {
        #expect(loadError(sites: Self.site + line)?.description == expected)
    }
}
