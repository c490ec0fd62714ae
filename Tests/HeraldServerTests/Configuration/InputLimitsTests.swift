import Foundation
import Testing

@testable import HeraldServer

/// Configuration text that would exhaust the process is refused quickly, with the place to look at.
@Suite struct InputLimitsTests {
    /// A refusal takes milliseconds; expanding 10^9 values takes minutes and tens of GiB. The bound sits far from
    /// both, so it tells the two apart however busy the machine is.
    static let refusalBound = Duration.seconds(10)

    /// `m0` to `m9`, each merging ten copies of the one before: ten to the ninth keys when expanded naively.
    static let mergeKeyBomb: String = {
        var lines = ["m0: &m0 {k: v}"]
        for level in 1...9 {
            let merged = Array(repeating: "*m\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("m\(level): &m\(level) {<<: [\(merged)]}")
        }
        lines.append("shop:\n  <<: *m9\n  authUrl: https://shop.example/rooms\n  apiKey: shop-key")
        return lines.joined(separator: "\n") + "\n"
    }()

    /// Lists of ten aliases of the list before, nine levels deep, used as a mapping key: Yams hashes keys, which
    /// walks the whole expansion.
    static let laughingKey: String = {
        var lines = ["l0: &l0 [lol]"]
        for level in 1...9 {
            lines.append("l\(level): &l\(level) [\(Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", "))]")
        }
        lines.append("? *l9\n: x")
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func aMergeKeyBombInSitesIsRefusedAtTheAliasThatExpandsTooFar() {
        let started = ContinuousClock.now
        let error = loadError(sites: Self.mergeKeyBomb)
        #expect(ContinuousClock.now - started < Self.refusalBound)
        #expect(error?.file == "sites.yml")
        #expect(error?.line == 8)
        #expect(error?.message.contains("expands to more than 16000000 values once its aliases and merge keys (<<) are resolved") == true)
    }

    @Test func aMergeKeyBombInConfigIsRefusedToo() {
        let config = Self.mergeKeyBomb.replacingOccurrences(
            of: "shop:\n  <<: *m9\n  authUrl: https://shop.example/rooms\n  apiKey: shop-key",
            with: "production:\n  <<: *m9"
        )
        let error = loadError(config: config)
        #expect(error?.file == "config.yml")
        #expect(error?.message.contains("expands to more than") == true)
    }

    @Test func aBillionLaughsKeyIsRefusedBeforeYamsHashesIt() {
        let started = ContinuousClock.now
        let error = loadError(sites: Self.laughingKey)
        #expect(ContinuousClock.now - started < Self.refusalBound)
        #expect(error?.file == "sites.yml")
        #expect(error?.message.contains("expands to more than") == true)
    }

    @Test func aModerateMergeFanOutStillLoads() throws {
        var lines = ["shop:", "  defaults:", "    m0: &m0 {authScheme: Token, apiKey: shop-key}"]
        for level in 1...4 {
            lines.append("    m\(level): &m\(level) {<<: [\(Array(repeating: "*m\(level - 1)", count: 10).joined(separator: ", "))]}")
        }
        lines += ["  <<: *m4", "  authUrl: https://shop.example/rooms"]
        let loaded = try loadStrings(sites: lines.joined(separator: "\n") + "\n")
        #expect(loaded.configuration.sites["shop"]?.apiKey == "shop-key")
        #expect(loaded.configuration.sites["shop"]?.authScheme == "Token")
    }

    @Test func mergeKeysAreResolvedOnceEachEvenPastTheNodeBudget() throws {
        var limits = ConfigurationInputLimits()
        limits.maxNodes = .max
        let started = ContinuousClock.now
        let root = try #require(try YAMLDocument.parse(Self.mergeKeyBomb, file: "sites.yml", limits: limits))
        let shop = try #require(try root.mapping()["shop"])
        #expect(try shop.mapping().entries.map(\.key) == ["authUrl", "apiKey", "k"])
        #expect(ContinuousClock.now - started < Self.refusalBound)
    }

    @Test(arguments: ["[", "{a: "])
    func aTenThousandDeepDocumentIsRefusedAtTheLevelPastTheLimit(opening: String) {
        let closing = opening == "[" ? "]" : "}"
        let deep = "shop: " + String(repeating: opening, count: 10_000) + "x" + String(repeating: closing, count: 10_000) + "\n"
        let started = ContinuousClock.now
        let error = loadError(sites: deep)
        #expect(ContinuousClock.now - started < Self.refusalBound)
        #expect(error?.line == 1)
        #expect(error?.message.hasPrefix("nested more than 64 levels deep") == true)
    }

    @Test func compactBlockListsCountAsLevelsToo() {
        let deep = "shop:\n  " + String(repeating: "- ", count: 10_000) + "x\n"
        let error = loadError(sites: deep)
        #expect(error?.line == 2)
        #expect(error?.message.hasPrefix("nested more than 64 levels deep") == true)
    }

    @Test func textOverTheByteLimitIsRefusedBeforeParsing() {
        let error = loadError(
            sites: validSites + "#" + String(repeating: "x", count: 100) + "\n",
            environment: ["HERALD_MAX_CONFIG_BYTES": "64"]
        )
        #expect(error?.file == "sites.yml")
        #expect(error?.line == nil)
        #expect(error?.message.hasPrefix("is 164 bytes, more than the 64 bytes a configuration file may have") == true)
        #expect(error?.message.hasSuffix("(raise the limit with HERALD_MAX_CONFIG_BYTES)") == true)
    }

    @Test func anOversizedFileIsRefusedWithoutReadingIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let config = try directory.write("config.yml", "production:\n")
        let sites = try directory.write("sites.yml", validSites + "\n" + String(repeating: "# padding\n", count: 20))
        let loader = ConfigurationLoader(environment: ["HERALD_MAX_CONFIG_BYTES": "100"])
        let error = #expect(throws: ConfigurationError.self) { try loader.load(configPath: config, sitesPath: sites) }
        #expect(error?.file == sites)
        #expect(error?.message.contains("more than the 100 bytes a configuration file may have") == true)
    }

    @Test func aFileThatNeverEndsIsRefusedAtTheLimit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let config = try directory.write("config.yml", "production:\n")
        let loader = ConfigurationLoader(environment: ["HERALD_MAX_CONFIG_BYTES": "4096"])
        let error = #expect(throws: ConfigurationError.self) { try loader.load(configPath: config, sitesPath: "/dev/zero") }
        #expect(error?.description.hasPrefix("/dev/zero: is larger, more than the 4096 bytes") == true)
    }

    @Test func theByteLimitVariableMustBeAPositiveNumber() {
        let error = loadError(environment: ["HERALD_MAX_CONFIG_BYTES": "lots"])
        #expect(error?.description == "environment: HERALD_MAX_CONFIG_BYTES: must be a positive number of bytes")
    }

    @Test func aSitesReloadRefusesABombToo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let sites = try directory.write("sites.yml", Self.mergeKeyBomb)
        let reload = SitesReload(loader: ConfigurationLoader(environment: [:]), source: .file(sites))
        let error = #expect(throws: ConfigurationError.self) { try reload.load() }
        #expect(error?.file == sites)
        #expect(error?.message.contains("expands to more than") == true)
    }
}
