import HeraldServer
import Testing

/// `cluster.secret`, `cluster.advertise` and `cluster.maxForwards`: polling without sticky sessions.
@Suite struct ClusterForwardingSettingsTests {
    @Test func forwardingIsOffUntilASecretIsSet() throws {
        let settings = try loadStrings(config: "production:\n  port: 80\n").configuration.settings
        #expect(settings.clusterSecret == nil)
        #expect(settings.clusterAdvertise == nil)
        #expect(settings.clusterMaxForwards == 1_000)
    }

    @Test func readsTheSecretTheAddressAndTheBound() throws {
        let loaded = try loadStrings(
            config: "production:\n  cluster:\n    secret: a-long-enough-secret\n    advertise: '[fd00::5]:1337'\n    maxForwards: 50\n"
        )
        let settings = loaded.configuration.settings
        #expect(settings.clusterSecret == "a-long-enough-secret")
        #expect(settings.clusterAdvertise == "[fd00::5]:1337")
        #expect(settings.clusterMaxForwards == 50)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func aShortSecretIsRefusedWithItsLocation() {
        #expect(
            loadError(config: "production:\n  cluster:\n    secret: short\n")?.description
                == "config.yml:3:13: production.cluster.secret: must be at least 16 characters"
        )
    }

    @Test func anAddressWithoutAPortIsRefused() {
        let description = loadError(config: "production:\n  cluster:\n    advertise: herald1\n")?.description ?? ""
        #expect(description.contains("production.cluster.advertise: must be host:port"))
    }
}
