import Herald
import HeraldRedis
import HeraldServer
import Testing

/// `redis: {cluster: [...]}` and the `redis+cluster://` URL form.
@Suite struct RedisClusterSettingsTests {
    @Test func clusterSeedsWithCredentials() throws {
        let config = """
            production:
              redis:
                cluster: ["10.0.0.1:7000", "10.0.0.2", "[::1]:7002"]
                username: app
                password: "cluster-secret"
                waitReplicas: 1
            """
        let settings = try loadStrings(config: config).configuration.settings
        #expect(
            settings.redis
                == .cluster(
                    RedisClusterSettings(
                        seeds: ["10.0.0.1:7000", "10.0.0.2", "[::1]:7002"],
                        username: "app",
                        password: "cluster-secret"
                    )
                )
        )
        #expect(settings.redisReplicaWait == RedisReplicaWaitSettings(replicas: 1))
    }

    @Test func clusterURLIsAcceptedInTheFileAndInREDIS_URL() throws {
        let url = "redis+cluster://:secret@10.0.0.1:7000,10.0.0.2:7001"
        let fromFile = try loadStrings(config: "production:\n  redis:\n    url: \"\(url)\"\n").configuration.settings
        #expect(fromFile.redis == .url(url))
        let fromEnvironment = try loadStrings(
            config: "production:\n  redis:\n    cluster: [\"c:1\"]\n",
            environment: ["REDIS_URL": url]
        ).configuration.settings
        #expect(fromEnvironment.redis == .url(url))
        let configuration = try RedisConfiguration(url: url)
        #expect(configuration.isCluster)
        #expect(configuration.password == "secret")
    }

    @Test(arguments: [
        (
            "production:\n  redis:\n    url: redis://r\n    cluster: [\"c:1\"]\n",
            "config.yml:3:5: production.redis: has both url and cluster; choose one"
        ),
        (
            "production:\n  redis:\n    cluster: []\n",
            "config.yml:3:14: production.redis.cluster: must list at least one node of the cluster"
        ),
        (
            "production:\n  redis:\n    cluster: [\"c:0\"]\n",
            "config.yml:3:15: production.redis.cluster[0]: must be host:port: port \"0\" is not a number from 1 to 65535"
        ),
        (
            "production:\n  redis:\n    cluster: [\"c:1\"]\n    masterName: m\n",
            "config.yml:3:5: production.redis: masterName does not apply to a Redis Cluster"
        ),
        (
            "production:\n  redis:\n    url: \"redis+cluster://c:1/3\"\n",
            "config.yml:3:10: production.redis.url: must be a redis+cluster://host:port,host:port,… URL: "
                + "a Redis Cluster has only database 0; remove \"/3\""
        ),
    ])
    func mistakesAreNamedWithTheirPlace(config: String, expected: String) {
        #expect(loadError(config: config)?.description == expected)
    }
}
