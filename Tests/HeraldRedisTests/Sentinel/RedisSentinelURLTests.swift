import HeraldRedis
import Testing

@Suite struct RedisSentinelURLTests {
    @Test func sentinelURLListsSentinelsMasterAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis+sentinel://app:s%40cret@10.0.0.1:26380,sentinel-b,[::1]:5000/mymaster/3")
        let expected = try RedisSentinelConfiguration(
            sentinels: [
                RedisNodeAddress(host: "10.0.0.1", port: 26380),
                RedisNodeAddress(host: "sentinel-b", port: 26379),
                RedisNodeAddress(host: "::1", port: 5000),
            ],
            masterName: "mymaster"
        )
        #expect(configuration.topology == .sentinel(expected))
        #expect(configuration.username == "app")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == 3)
        #expect(configuration.tls == nil)
        #expect(configuration.description == "redis+sentinel://app:***@10.0.0.1:26380,sentinel-b:26379,[::1]:5000/mymaster/3")
    }

    @Test func tlsSentinelURLUsesTLSToTheMaster() throws {
        let configuration = try RedisConfiguration(url: "rediss+sentinel://s1:26379/m")
        #expect(configuration.tls != nil)
        #expect(configuration.database == 0)
    }

    @Test(arguments: [
        ("redis+sentinel://s1:26379", "names the master"),
        ("redis+sentinel://s1:26379/", "names the master"),
        ("redis+sentinel://s1:26379/m/1/2", "names the master"),
        ("redis+sentinel://s1:99999/m", "port \"99999\""),
        ("redis+sentinel://s1,,s2/m", "the host is missing"),
        ("redis+sentinel://s1/m/x", "database \"x\""),
        ("redis+sentinel://user@s1/m", "needs a password"),
        ("redis+cluster-ish://s1/m", "unsupported scheme"),
    ])
    func brokenSentinelURLsAreRefused(url: String, reason: String) {
        #expect {
            _ = try RedisConfiguration(url: url)
        } throws: { error in
            (error as? RedisConfigurationError)?.reason.contains(reason) == true
        }
    }
}
