import Herald
import HeraldServer
import Testing

/// `redis: {sentinels, masterName, …}`, the `redis+sentinel://` URL form and `redis.waitReplicas`.
@Suite struct RedisSentinelSettingsTests {
    @Test func sentinelsWithCredentialsAndReplicaAcknowledgement() throws {
        let config = """
            production:
              redis:
                sentinels: ["10.0.0.1:26380", "sentinel-b", "[::1]:5000"]
                masterName: mymaster
                username: app
                password: "master-secret"
                database: 2
                sentinelPassword: "sentinel-secret"
                waitReplicas: 1
                waitTimeoutMs: 250
            """
        let settings = try loadStrings(config: config).configuration.settings
        #expect(
            settings.redis
                == .sentinel(
                    RedisSentinelSettings(
                        sentinels: ["10.0.0.1:26380", "sentinel-b", "[::1]:5000"],
                        masterName: "mymaster",
                        username: "app",
                        password: "master-secret",
                        database: 2,
                        sentinelPassword: "sentinel-secret"
                    )
                )
        )
        #expect(settings.redisReplicaWait == RedisReplicaWaitSettings(replicas: 1, timeout: .milliseconds(250)))
    }

    @Test func waitTimeoutDefaultsTo500MillisecondsAndZeroReplicasWaitsForNone() throws {
        let waiting = try loadStrings(config: "production:\n  redis:\n    url: redis://r:6379\n    waitReplicas: 2\n")
        #expect(waiting.configuration.settings.redisReplicaWait == RedisReplicaWaitSettings(replicas: 2))
        #expect(RedisReplicaWaitSettings(replicas: 2).timeout == .milliseconds(500))
        let none = try loadStrings(config: "production:\n  redis:\n    url: redis://r:6379\n    waitReplicas: 0\n")
        #expect(none.configuration.settings.redisReplicaWait == nil)
    }

    @Test func sentinelURLIsAcceptedInTheFileAndInREDIS_URL() throws {
        let url = "redis+sentinel://:secret@10.0.0.1:26379,10.0.0.2/mymaster/1"
        let fromFile = try loadStrings(config: "production:\n  redis:\n    url: \"\(url)\"\n").configuration.settings
        #expect(fromFile.redis == .url(url))
        let fromEnvironment = try loadStrings(
            config: "production:\n  redis:\n    sentinels: [\"s:1\"]\n    masterName: m\n",
            environment: ["REDIS_URL": url]
        ).configuration.settings
        #expect(fromEnvironment.redis == .url(url))
    }

    @Test(arguments: [
        (
            "production:\n  redis:\n    url: redis://r\n    sentinels: [\"s:1\"]\n",
            "config.yml:3:5: production.redis: has both url and sentinels; choose one"
        ),
        (
            "production:\n  redis:\n    sentinels: [\"s:1\"]\n",
            "config.yml:3:5: production.redis: sentinels need masterName, the name in the sentinels' `sentinel monitor` lines"
        ),
        (
            "production:\n  redis:\n    sentinels: []\n    masterName: m\n",
            "config.yml:3:16: production.redis.sentinels: must list at least one sentinel"
        ),
        (
            "production:\n  redis:\n    sentinels: [\"s:99999\"]\n    masterName: m\n",
            "config.yml:3:17: production.redis.sentinels[0]: must be host:port: port \"99999\" is not a number from 1 to 65535"
        ),
        (
            "production:\n  redis:\n    masterName: m\n",
            "config.yml:3:5: production.redis: masterName needs sentinels"
        ),
        (
            "production:\n  redis:\n    url: \"redis+sentinel://s:1\"\n",
            "config.yml:3:10: production.redis.url: must be a redis+sentinel://host:port,…/masterName URL: "
                + "a redis+sentinel:// URL names the master after the sentinels: …/masterName[/db]"
        ),
        (
            "production:\n  redis:\n    url: redis://r\n    waitReplicas: -1\n",
            "config.yml:4:19: production.redis.waitReplicas: must be a number of replicas from 0 to 100 (0 waits for none), "
                + "found the number -1"
        ),
    ])
    func invalidRedisSettingsAreRefusedWithTheirLocation(config: String, expected: String) {
        #expect(loadError(config: config)?.description == expected)
    }

    @Test func brokenSentinelURLInREDIS_URLIsRefused() {
        #expect(
            loadError(config: nil, environment: ["REDIS_URL": "redis+sentinel://s:1"])?.description
                == "environment: REDIS_URL: must be a redis+sentinel://host:port,…/masterName URL: "
                + "a redis+sentinel:// URL names the master after the sentinels: …/masterName[/db]"
        )
    }
}
