import Herald
import HeraldServer
import Testing

@Suite struct EnvironmentOverrideTests {
    let config = """
        production:
          port: 80
          device_ttl: 100
          redis:
            url: redis://file.example:6379
        """

    @Test func environmentVariablesBeatTheFile() throws {
        let settings = try loadStrings(
            config: config,
            environment: ["PORT": "8080", "REDIS_URL": "rediss://env.example:6380/1", "DEVICE_TTL": "0"]
        ).configuration.settings
        #expect(settings.port == 8080)
        #expect(settings.redis == .url("rediss://env.example:6380/1"))
        #expect(settings.deviceTTL == 0)
    }

    @Test func environmentVariablesApplyWithoutAConfigFile() throws {
        let settings = try loadStrings(config: nil, environment: ["PORT": "9000"]).configuration.settings
        #expect(settings.port == 9000)
    }

    @Test func emptyVariablesCountAsUnset() throws {
        let settings = try loadStrings(config: config, environment: ["PORT": "", "REDIS_URL": "", "DEVICE_TTL": ""])
            .configuration.settings
        #expect(settings.port == 80)
        #expect(settings.redis == .url("redis://file.example:6379"))
        #expect(settings.deviceTTL == 100)
    }

    @Test(arguments: [
        ("PORT", "abc", "environment: PORT: must be an integer between 1 and 65535"),
        ("PORT", "0", "environment: PORT: must be an integer between 1 and 65535"),
        ("PORT", "65536", "environment: PORT: must be an integer between 1 and 65535"),
        ("PORT", " 80", "environment: PORT: must be an integer between 1 and 65535"),
        ("REDIS_URL", "http://localhost:6379", "environment: REDIS_URL: must be a redis:// or rediss:// URL with a host"),
        ("REDIS_URL", "localhost:6379", "environment: REDIS_URL: must be a redis:// or rediss:// URL with a host"),
        (
            "DEVICE_TTL", "-5",
            "environment: DEVICE_TTL: must be an integer number of seconds, 0 or more (0 keeps messages forever)"
        ),
        (
            "DEVICE_TTL", "1h",
            "environment: DEVICE_TTL: must be an integer number of seconds, 0 or more (0 keeps messages forever)"
        ),
    ])
    func invalidVariableIsAnErrorNamingIt(variable: String, value: String, expected: String) {
        #expect(loadError(config: config, environment: [variable: value])?.description == expected)
    }
}

@Suite struct SingleSiteModeTests {
    let environment = [
        "SITE_NAME": "shop",
        "AUTH_URL": "https://shop.example/rooms",
        "AUTH_SCHEME": "Token",
        "API_KEY": "env-key",
        "USER_ROOM_PREFIX": "user_",
        "UPDATE_USER_URL": "https://shop.example/users/:id",
        "PUBLIC_CHANNEL": "everyone",
    ]

    @Test func theSiteComesFromTheEnvironmentAndSitesYAMLIsIgnored() throws {
        let loaded = try loadStrings(sites: "this is: [not, valid", environment: environment)
        #expect(
            loaded.configuration.sites == [
                "shop": Site(
                    name: "shop",
                    authentication: .authURL("https://shop.example/rooms"),
                    authScheme: "Token",
                    apiKey: "env-key",
                    userRoomPrefix: "user_",
                    updateUserURL: "https://shop.example/users/:id",
                    publicChannel: "everyone"
                )
            ]
        )
        #expect(loaded.sitesSource == .environment)
        #expect(loaded.filesRead.isEmpty)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func optionalVariablesDefault() throws {
        let minimal = ["SITE_NAME": "shop", "AUTH_URL": "http://shop.example/rooms", "API_KEY": "k", "USER_ROOM_PREFIX": ""]
        let site = try #require(try loadStrings(sites: nil, environment: minimal).configuration.sites["shop"])
        #expect(site == Site(name: "shop", authentication: .authURL("http://shop.example/rooms"), apiKey: "k"))
    }

    @Test(
        arguments: [
            ("AUTH_URL", nil, "environment: AUTH_URL: must be set when SITE_NAME is set"),
            ("AUTH_URL", "", "environment: AUTH_URL: must be set when SITE_NAME is set"),
            ("AUTH_URL", "shop.example/rooms", "environment: AUTH_URL: must be an absolute http:// or https:// URL"),
            ("API_KEY", nil, "environment: API_KEY: must be set when SITE_NAME is set"),
            ("UPDATE_USER_URL", "/users/:id", "environment: UPDATE_USER_URL: must be an absolute http:// or https:// URL"),
            (
                "SITE_NAME", "my/shop",
                "environment: SITE_NAME: may only use letters, digits, '_', '.' and '-' (the name becomes the namespace /<name>)"
            ),
        ] as [(String, String?, String)]
    )
    func invalidVariableIsAnErrorNamingIt(variable: String, value: String?, expected: String) {
        var environment = environment
        environment[variable] = value
        #expect(loadError(environment: environment)?.description == expected)
    }

    @Test func siteVariablesWithoutSiteNameAreReportedAsIgnored() throws {
        let loaded = try loadStrings(environment: ["AUTH_URL": "https://x.example/rooms"])
        #expect(loaded.configuration.sites.keys.sorted() == ["shop"])
        #expect(loaded.warnings == ["environment: AUTH_URL: ignored because SITE_NAME is not set"])
    }
}
