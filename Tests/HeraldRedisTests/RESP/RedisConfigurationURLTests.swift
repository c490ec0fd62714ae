import HeraldRedis
import Testing

@Suite struct RedisConfigurationURLTests {
    @Test func fullURLSetsEveryPart() throws {
        let configuration = try RedisConfiguration(url: "redis://herald:s3cret@redis.internal:6380/4")
        #expect(configuration.host == "redis.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.username == "herald")
        #expect(configuration.password == "s3cret")
        #expect(configuration.database == 4)
        #expect(configuration.tls == nil)
    }

    @Test func hostAloneTakesDefaults() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 6379)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
        #expect(configuration.database == 0)
        #expect(configuration.commandTimeout == .seconds(2))
    }

    @Test func trailingSlashMeansDatabaseZero() throws {
        #expect(try RedisConfiguration(url: "redis://127.0.0.1:7000/").database == 0)
    }

    @Test func passwordAloneAuthenticatesTheDefaultUser() throws {
        let configuration = try RedisConfiguration(url: "redis://:only-password@127.0.0.1")
        #expect(configuration.username == nil)
        #expect(configuration.password == "only-password")
    }

    @Test func credentialsArePercentDecoded() throws {
        let configuration = try RedisConfiguration(url: "redis://us%65r:p%40ss%3Aw%2Frd@127.0.0.1")
        #expect(configuration.username == "user")
        #expect(configuration.password == "p@ss:w/rd")
    }

    @Test func unencodedAtSignInPasswordStillParses() throws {
        let configuration = try RedisConfiguration(url: "redis://:p@ss@127.0.0.1:6390")
        #expect(configuration.password == "p@ss")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 6390)
    }

    @Test func redissTurnsOnVerifiedTLS() throws {
        let configuration = try RedisConfiguration(url: "REDISS://cache.example.com:6380")
        #expect(configuration.tls == RedisTLSConfiguration())
        #expect(configuration.tls?.verifiesCertificate == true)
        #expect(configuration.port == 6380)
    }

    @Test func bracketedIPv6Host() throws {
        let configuration = try RedisConfiguration(url: "redis://[::1]:6400/2")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 6400)
        #expect(configuration.database == 2)
    }

    @Test(arguments: [
        ("http://127.0.0.1", "unsupported scheme \"http\""),
        ("127.0.0.1:6379", "does not start with redis://"),
        ("redis://", "host is missing"),
        ("redis://:pw@", "host is missing"),
        ("redis://127.0.0.1:0", "port \"0\""),
        ("redis://127.0.0.1:65536", "port \"65536\""),
        ("redis://127.0.0.1:abc", "port \"abc\""),
        ("redis://127.0.0.1:", "port \"\""),
        ("redis://127.0.0.1/db1", "database \"db1\""),
        ("redis://127.0.0.1/-1", "database \"-1\""),
        ("redis://127.0.0.1?db=1", "query parameters"),
        ("redis://127.0.0.1#x", "fragment"),
        ("redis://::1:6379", "IPv6 address in brackets"),
        ("redis://[::1:6379", "closing bracket"),
        ("redis://user@127.0.0.1", "needs a password"),
        ("redis://:bad%zzescape@127.0.0.1", "password has a broken percent-escape"),
    ])
    func badURLsNameWhatIsWrong(url: String, expected: String) {
        #expect {
            _ = try RedisConfiguration(url: url)
        } throws: { error in
            guard let error = error as? RedisConfigurationError else {
                return false
            }
            return error.description.hasPrefix("invalid Redis URL: ") && error.reason.contains(expected)
        }
    }

    @Test func errorsNeverRepeatThePassword() {
        for url in ["redis://topsecret@127.0.0.1", "redis://u:topsecret@127.0.0.1:99999", "redis://:topsecret@127.0.0.1/x"] {
            #expect {
                _ = try RedisConfiguration(url: url)
            } throws: { error in
                !String(describing: error).contains("topsecret")
            }
        }
    }

    @Test func descriptionMasksThePassword() throws {
        let configuration = try RedisConfiguration(url: "rediss://herald:topsecret@127.0.0.1:6380/3")
        #expect(configuration.description == "rediss://herald:***@127.0.0.1:6380/3")
    }
}

@Suite struct RedisClusterConfigurationURLTests {
    @Test func clusterURLListsSeeds() throws {
        let configuration = try RedisConfiguration(url: "redis+cluster://herald:s3cret@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002")
        #expect(
            configuration.topology
                == .cluster(seeds: [
                    RedisNodeAddress(host: "10.0.0.1", port: 7000), RedisNodeAddress(host: "10.0.0.2", port: 7001),
                    RedisNodeAddress(host: "::1", port: 7002),
                ])
        )
        #expect(configuration.isCluster)
        #expect(configuration.username == "herald")
        #expect(configuration.password == "s3cret")
        #expect(configuration.tls == nil)
        #expect(configuration.host == "10.0.0.1")
        #expect(configuration.port == 7000)
    }

    @Test func tlsClusterURLAndDefaultPort() throws {
        let configuration = try RedisConfiguration(url: "rediss+cluster://redis-a,redis-b:6380/")
        #expect(configuration.tls != nil)
        #expect(
            configuration.topology
                == .cluster(seeds: [RedisNodeAddress(host: "redis-a", port: 6379), RedisNodeAddress(host: "redis-b", port: 6380)])
        )
    }

    @Test func plainURLIsStandalone() throws {
        #expect(try RedisConfiguration(url: "redis://127.0.0.1:7000").topology == .standalone)
        #expect(try !RedisConfiguration(url: "redis://127.0.0.1:7000").isCluster)
    }

    @Test(arguments: [
        "redis+cluster://", "redis+cluster://a:1,,b:2", "redis+cluster://a:1/2", "redis+cluster://a:x",
        "redis+cluster://a:1,b:2?timeout=1", "redis+sentinel://a:1",
    ])
    func malformedClusterURLsAreRefused(url: String) {
        #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: url) }
    }

    @Test func seedsFromAListOfAddresses() throws {
        let configuration = try RedisConfiguration(clusterSeeds: ["127.0.0.1:7000", "[::1]:7001", "redis-c"])
        #expect(
            configuration.topology
                == .cluster(seeds: [
                    RedisNodeAddress(host: "127.0.0.1", port: 7000), RedisNodeAddress(host: "::1", port: 7001),
                    RedisNodeAddress(host: "redis-c", port: 6379),
                ])
        )
        #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(clusterSeeds: [String]()) }
        #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(clusterSeeds: ["a:b"]) }
    }

    @Test func descriptionMasksThePasswordAndListsSeeds() throws {
        let configuration = try RedisConfiguration(url: "rediss+cluster://:secret@a:1,b:2")
        #expect(configuration.description == "rediss+cluster://:***@a:1,b:2")
    }
}
