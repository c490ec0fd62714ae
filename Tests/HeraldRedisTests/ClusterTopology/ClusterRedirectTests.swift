import Testing

@testable import HeraldRedis

@Suite struct ClusterRedirectTests {
    private let origin = RedisNodeAddress(host: "10.0.0.1", port: 7000)

    @Test func movedNamesTheNewOwner() {
        #expect(
            ClusterRedirect(errorMessage: "MOVED 3999 127.0.0.1:6381", origin: origin)
                == .moved(ClusterSlot(3999), node: RedisNodeAddress(host: "127.0.0.1", port: 6381))
        )
    }

    @Test func askNamesTheImportingNode() {
        #expect(
            ClusterRedirect(errorMessage: "ASK 12182 redis-2.internal:7001", origin: origin)
                == .ask(ClusterSlot(12182), node: RedisNodeAddress(host: "redis-2.internal", port: 7001))
        )
    }

    @Test func unknownEndpointMeansTheAskedHost() {
        #expect(
            ClusterRedirect(errorMessage: "MOVED 1 :7002", origin: origin)
                == .moved(ClusterSlot(1), node: RedisNodeAddress(host: "10.0.0.1", port: 7002))
        )
    }

    @Test func ipv6HostsKeepTheirColons() {
        #expect(
            ClusterRedirect(errorMessage: "MOVED 1 ::1:7002", origin: origin)
                == .moved(ClusterSlot(1), node: RedisNodeAddress(host: "::1", port: 7002))
        )
    }

    @Test func transientErrorsAskForARetry() {
        #expect(ClusterRedirect(errorMessage: "TRYAGAIN Multiple keys request during rehashing of slot", origin: origin) == .retryLater)
        #expect(ClusterRedirect(errorMessage: "CLUSTERDOWN The cluster is down", origin: origin) == .retryLater)
    }

    @Test(arguments: [
        "ERR unknown command", "MOVED", "MOVED 16384 127.0.0.1:1", "MOVED x 127.0.0.1:1", "MOVED 1 127.0.0.1",
        "MOVED 1 127.0.0.1:0", "ASK 1 host:99999", "WRONGTYPE Operation against a key",
    ])
    func otherErrorsAreNotRedirects(message: String) {
        #expect(ClusterRedirect(errorMessage: message, origin: origin) == nil)
    }
}
