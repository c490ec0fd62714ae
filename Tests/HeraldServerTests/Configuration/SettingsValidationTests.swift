import HeraldServer
import Testing

/// Every invalid setting is refused with the file, line, column and key path an operator needs to fix it.
@Suite struct SettingsValidationTests {
    @Test(arguments: [
        (
            "production:\n  port: 70000\n",
            "config.yml:2:9: production.port: must be an integer between 1 and 65535, found the number 70000"
        ),
        (
            "production:\n  port: \"80\"\n",
            "config.yml:2:9: production.port: must be an integer between 1 and 65535, found a string"
        ),
        (
            "production:\n  host: \"\"\n",
            "config.yml:2:9: production.host: must be a non-empty string"
        ),
        (
            "production:\n  device_ttl: -1\n",
            "config.yml:2:15: production.device_ttl: must be an integer number of seconds, 0 or more (0 keeps messages forever), "
                + "found the number -1"
        ),
        (
            "production:\n  redis:\n    url: http://localhost:6379\n",
            "config.yml:3:10: production.redis.url: must be a redis:// or rediss:// URL with a host"
        ),
        (
            "production:\n  redis: redis://localhost\n",
            "config.yml:2:10: production.redis: must be a mapping of keys to values, found a string"
        ),
        (
            "production:\n  flakeid:\n    worker: 32\n",
            "config.yml:3:13: production.flakeid.worker: must be an integer between 0 and 31, found the number 32"
        ),
        (
            "production:\n  flakeid:\n    datacenter: -1\n",
            "config.yml:3:17: production.flakeid.datacenter: must be an integer between 0 and 31, found the number -1"
        ),
        (
            "production:\n  io:\n    pingInterval: 0\n",
            "config.yml:3:19: production.io.pingInterval: must be a positive number of milliseconds, found the number 0"
        ),
        (
            "production:\n  io:\n    pingTimeout: 1.5\n",
            "config.yml:3:18: production.io.pingTimeout: must be a positive number of milliseconds, found the number 1.5"
        ),
        (
            "production:\n  io:\n    maxPayload: false\n",
            "config.yml:3:17: production.io.maxPayload: must be a positive number of bytes, found the boolean false"
        ),
        (
            "production:\n  io:\n    cors: https://a.example/\n",
            "config.yml:3:11: production.io.cors: \"https://a.example/\" is not an origin: "
                + "write scheme://host[:port] without a path, or \"*\" for any origin"
        ),
        (
            "production:\n  io:\n    cors:\n      - https://ok.example\n      - not an origin\n",
            "config.yml:5:9: production.io.cors[1]: \"not an origin\" is not an origin: "
                + "write scheme://host[:port] without a path, or \"*\" for any origin"
        ),
        (
            "production:\n  hooks:\n    timeout: 0\n",
            "config.yml:3:14: production.hooks.timeout: must be a positive number of milliseconds, found the number 0"
        ),
        (
            "production:\n  send:\n    maxBodyBytes: many\n",
            "config.yml:3:19: production.send.maxBodyBytes: must be a positive number of bytes, found a string"
        ),
        (
            "production: 5\n",
            "config.yml:1:13: production: must be a mapping of keys to values, found the number 5"
        ),
    ])
    func invalidSettingIsRefusedWithItsLocation(config: String, expected: String) {
        #expect(loadError(config: config)?.description == expected)
    }

    @Test func yamlSyntaxErrorsCarryLineAndColumn() {
        let error = loadError(config: "production:\n  port: 1\n  host: a: b\n")
        #expect(error?.file == "config.yml")
        #expect(error?.line == 3)
        #expect(error?.column == 10)
        #expect(error?.description.hasPrefix("config.yml:3:10: invalid YAML: ") == true)
    }

    @Test func aTabInTheIndentationIsExplained() {
        let error = loadError(config: "production:\n\tport: 1\n")
        #expect(error?.description.hasPrefix("config.yml:2:1: invalid YAML: ") == true)
        #expect(error?.description.hasSuffix("(indent with spaces: YAML does not allow tabs)") == true)
    }

    @Test func duplicateKeysArePointedAt() {
        let error = loadError(config: "production:\n  port: 1\n  port: 2\n")
        #expect(
            error?.description
                == "config.yml:2:3: invalid YAML: a key here appears twice in the same mapping (keys are not shown: they may be tokens)"
        )
    }

    @Test func unknownKeysAreWarningsNotErrors() throws {
        let config = """
            production:
              port: 80
              winston:
                console:
                  level: info
              io:
                pingTimeout: 60000
                transports: [websocket]
            """
        let loaded = try loadStrings(config: config)
        #expect(loaded.configuration.settings.port == 80)
        #expect(loaded.configuration.settings.io.pingTimeout == 60000)
        #expect(
            loaded.warnings == [
                "config.yml:3:3: production.winston: unknown key, ignored",
                "config.yml:8:5: production.io.transports: unknown key, ignored",
            ]
        )
    }

    @Test func otherEnvironmentsAreNotChecked() throws {
        let loaded = try loadStrings(config: "production:\n  port: 80\nstaging:\n  port: nonsense\n")
        #expect(loaded.configuration.settings.port == 80)
        #expect(loaded.warnings.isEmpty)
    }
}
