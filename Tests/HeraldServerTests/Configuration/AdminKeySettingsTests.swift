import HeraldServer
import Testing

/// `admin.key` turns the admin API on; a short key is refused rather than exposing disconnects behind a weak secret.
@Suite struct AdminKeySettingsTests {
    @Test func withoutAdminSectionTheAdminAPIIsOff() throws {
        let loaded = try loadStrings(config: "production:\n  port: 8080\n")
        #expect(loaded.configuration.settings.adminKey == nil)
    }

    @Test func adminKeyIsRead() throws {
        let loaded = try loadStrings(config: "production:\n  admin:\n    key: an-admin-key-0123456789\n")
        #expect(loaded.configuration.settings.adminKey == "an-admin-key-0123456789")
        #expect(loaded.warnings.isEmpty)
    }

    @Test func shortAdminKeyIsRefusedWithItsLocation() {
        let error = loadError(config: "production:\n  admin:\n    key: short\n")
        #expect(error?.description == "config.yml:3:10: production.admin.key: must be at least 16 characters")
    }

    @Test func unknownAdminKeysAreReported() throws {
        let loaded = try loadStrings(config: "production:\n  admin:\n    key: an-admin-key-0123456789\n    user: x\n")
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings.first?.contains("admin.user") == true)
    }
}

/// `HERALD_ADMIN_KEY` sets or replaces `admin.key`, with the same length rule.
@Suite struct AdminKeyEnvironmentTests {
    @Test func environmentKeyBeatsTheFile() throws {
        let loaded = try loadStrings(
            config: "production:\n  admin:\n    key: an-admin-key-0123456789\n",
            environment: ["HERALD_ADMIN_KEY": "key-from-a-secret-0123456789"]
        )
        #expect(loaded.configuration.settings.adminKey == "key-from-a-secret-0123456789")
    }

    @Test func shortEnvironmentKeyIsRefusedByName() {
        let error = loadError(environment: ["HERALD_ADMIN_KEY": "short"])
        #expect(error.map { "\($0)".contains("HERALD_ADMIN_KEY") } == true)
        #expect(error.map { "\($0)".contains("short") } == false)
    }
}
