import HeraldServer
import Testing

/// `cluster.maxBufferBytes`: the bound of each buffer between an instance and Redis.
@Suite struct ClusterBufferSettingsTests {
    @Test func defaultsTo32MiBAndReadsTheConfiguredBytes() throws {
        #expect(try loadStrings(config: "production:\n  port: 80\n").configuration.settings.clusterMaxBufferBytes == 32 << 20)
        let loaded = try loadStrings(config: "production:\n  cluster:\n    maxBufferBytes: 1048576\n")
        #expect(loaded.configuration.settings.clusterMaxBufferBytes == 1_048_576)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func aBoundTooSmallForOneMessageIsRefusedWithItsLocation() {
        #expect(
            loadError(config: "production:\n  cluster:\n    maxBufferBytes: 1000\n")?.description
                == "config.yml:3:21: production.cluster.maxBufferBytes: must be a number of bytes, at least 65536, found the number 1000"
        )
    }
}
