import Herald
import HeraldServer
import Testing

/// Every invalid site is refused with the file, line, column and key path an operator needs to fix it.
@Suite struct SitesValidationTests {
    @Test func everySiteKeyIsRead() throws {
        let sites = """
            shop:
              authUrl: https://shop.example/rooms
              authScheme: Token
              apiKey: shop-key
              userRoomPrefix: user_
              updateUserUrl: https://shop.example/users/:id
              publicChannel: everyone
            """
        let loaded = try loadStrings(sites: sites)
        #expect(
            loaded.configuration.sites == [
                "shop": Site(
                    name: "shop",
                    authentication: .authURL("https://shop.example/rooms"),
                    authScheme: "Token",
                    apiKey: "shop-key",
                    userRoomPrefix: "user_",
                    updateUserURL: "https://shop.example/users/:id",
                    publicChannel: "everyone"
                )
            ]
        )
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.sitesSource == .file("sites.yml"))
    }

    @Test func authSchemeDefaultsToBearerAndAnEmptyPrefixMeansNone() throws {
        let sites = "shop:\n  authUrl: http://shop.example/rooms\n  apiKey: k\n  userRoomPrefix: \"\"\n"
        let site = try #require(try loadStrings(sites: sites).configuration.sites["shop"])
        #expect(site.authScheme == "Bearer")
        #expect(site.userRoomPrefix == nil)
    }

    @Test(arguments: [
        (
            "demo:\n  authUrl: http://a.example/rooms\n  apiKey: \"\"\n",
            "sites.yml:3:11: demo.apiKey: must be a non-empty string (quote it if it looks like a number; the value is not shown here)"
        ),
        (
            "demo:\n  authUrl: http://a.example/rooms\n",
            "sites.yml:2:3: demo.apiKey: must be a non-empty string (the secret backends present to POST /send)"
        ),
        (
            "demo:\n  apiKey: k\n",
            "sites.yml:2:3: demo: needs authUrl (an endpoint that answers the rooms of a token), tokens (a fixed table) or jwt "
                + "(signed tokens)"
        ),
        (
            "demo:\n  apiKey: k\n  authUrl: http://a.example/rooms\n  tokens:\n    abcdefghijklmnopq: [a]\n",
            "sites.yml:5:5: demo.tokens: set only one of authUrl, tokens and jwt (found authUrl, tokens)"
        ),
        (
            "demo:\n  apiKey: k\n  authUrl: /rooms\n",
            "sites.yml:3:12: demo.authUrl: must be an absolute http:// or https:// URL"
        ),
        (
            "demo:\n  apiKey: k\n  authUrl: ftp://a.example/rooms\n",
            "sites.yml:3:12: demo.authUrl: must be an absolute http:// or https:// URL"
        ),
        (
            "demo:\n  apiKey: k\n  authUrl: http://a.example/rooms\n  authScheme: 123\n",
            "sites.yml:4:15: demo.authScheme: must be a string, found the number 123"
        ),
        (
            "demo:\n  apiKey: k\n  authUrl: http://a.example/rooms\n  userRoomPrefix: true\n",
            "sites.yml:4:19: demo.userRoomPrefix: must be a string, found the boolean true"
        ),
        (
            "demo:\n  apiKey: k\n  authUrl: http://a.example/rooms\n  userRoomPrefix: u_\n  updateUserUrl: users/:id\n",
            "sites.yml:5:18: demo.updateUserUrl: must be an absolute http:// or https:// URL"
        ),
        (
            "my site:\n  apiKey: k\n  authUrl: http://a.example/rooms\n",
            "sites.yml:1:1: my site: site names may only use letters, digits, '_', '.' and '-' (the name becomes the namespace /<name>)"
        ),
        (
            "demo: 5\n",
            "sites.yml:1:7: demo: must be a mapping of keys to values, found the number 5"
        ),
        (
            "- demo\n",
            "sites.yml:1:1: must be a mapping of keys to values, found a list"
        ),
    ])
    func invalidSiteIsRefusedWithItsLocation(sites: String, expected: String) {
        #expect(loadError(sites: sites)?.description == expected)
    }

    @Test func aNumericApiKeyIsNeverEchoed() {
        let error = loadError(sites: "demo:\n  apiKey: 0123456\n  authUrl: http://a.example/rooms\n")
        #expect(error?.keyPath == "demo.apiKey")
        #expect(error?.description.contains("123456") == false)
    }

    @Test func aPlainNumberApiKeyIsKeptAsWrittenWithAWarning() throws {
        let loaded = try loadStrings(sites: "newsite:\n  authUrl: http://newsite.example/rooms\n  apiKey: 54321\n")
        #expect(loaded.configuration.sites["newsite"]?.apiKey == "54321")
        #expect(loaded.warnings == ["sites.yml:3:11: newsite.apiKey: is a number; quote it so it stays a string"])
    }

    @Test(arguments: ["", "# only a comment\n", "{}\n"])
    func noSitesTellsTheUserWhatToDo(sites: String) {
        let error = loadError(sites: sites)
        #expect(
            error?.description
                == "sites.yml: no sites configured: create sites.yml with at least one site (see docs/configuration.md), "
                + "or set SITE_NAME, AUTH_URL and API_KEY to run a single site"
        )
    }

    @Test func noSitesFileAndNoSiteNameIsTheSameError() {
        #expect(loadError(sites: nil)?.message.hasPrefix("no sites configured") == true)
    }

    @Test func unknownSiteKeysAndSettingsWithoutEffectAreWarnings() throws {
        let sites = """
            shop:
              authUrl: https://shop.example/rooms
              apiKey: shop-key
              secretSauce: yes
              updateUserUrl: https://shop.example/users/:id
              publicChannel: everyone
            """
        let loaded = try loadStrings(sites: sites)
        #expect(loaded.configuration.sites["shop"]?.updateUserURL == "https://shop.example/users/:id")
        #expect(
            loaded.warnings == [
                "sites.yml:4:3: shop.secretSauce: unknown key, ignored",
                "sites.yml:5:18: shop.updateUserUrl: has no effect without userRoomPrefix (users are known by their user room)",
                "sites.yml:6:18: shop.publicChannel: has no effect without userRoomPrefix",
            ]
        )
    }
}
