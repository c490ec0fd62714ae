import Herald
import HeraldRedis

/// Reads the `redis:` section: one URL, Sentinel or Cluster as lists, and how many replicas each stored message waits
/// for.
enum RedisSettingsParser {
    static let knownKeys: Set<String> = [
        "url", "sentinels", "cluster", "masterName", "username", "password", "database", "sentinelUsername", "sentinelPassword",
        "waitReplicas", "waitTimeoutMs",
    ]
    private static let sentinelOnlyKeys = ["masterName", "username", "password", "database", "sentinelUsername", "sentinelPassword"]

    /// The deployment and replica wait of `redis`; the deployment is nil when it names none.
    static func parse(
        _ redis: YAMLValue,
        warnings: inout [String]
    ) throws(ConfigurationError) -> (RedisDeployment?, RedisReplicaWaitSettings?) {
        let keys = try redis.mapping()
        keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
        return (try deployment(keys, in: redis), try replicaWait(keys))
    }

    private static func deployment(_ keys: YAMLMapping, in redis: YAMLValue) throws(ConfigurationError) -> RedisDeployment? {
        let forms = ["url", "sentinels", "cluster"].filter { keys[$0] != nil }
        if forms.count > 1 {
            throw redis.error("has both \(forms.joined(separator: " and ")); choose one")
        }
        if let cluster = keys["cluster"] {
            return .cluster(try clusterSettings(keys, seeds: cluster, in: redis))
        }
        if let url = keys["url"] {
            let text = try url.nonEmptyString()
            if let problem = ValueFormat.redisURLProblem(text) {
                throw url.error(problem)
            }
            return .url(text)
        }
        guard let sentinels = keys["sentinels"] else {
            for key in sentinelOnlyKeys where keys[key] != nil {
                throw redis.error("\(key) needs sentinels")
            }
            return nil
        }
        return .sentinel(try sentinelSettings(keys, sentinels: sentinels, in: redis))
    }

    private static func clusterSettings(
        _ keys: YAMLMapping,
        seeds: YAMLValue,
        in redis: YAMLValue
    ) throws(ConfigurationError) -> RedisClusterSettings {
        for key in ["masterName", "database", "sentinelUsername", "sentinelPassword"] where keys[key] != nil {
            throw redis.error("\(key) does not apply to a Redis Cluster")
        }
        var addresses: [String] = []
        for entry in try seeds.sequence() {
            let text = try entry.nonEmptyString()
            do {
                _ = try RedisNodeAddress(parsing: text)
            } catch {
                throw entry.error("must be host:port: \(error.reason)")
            }
            addresses.append(text)
        }
        guard !addresses.isEmpty else {
            throw seeds.error("must list at least one node of the cluster")
        }
        var settings = RedisClusterSettings(seeds: addresses)
        settings.username = try keys["username"]?.nonEmptyString()
        settings.password = try keys["password"]?.secret()
        if settings.username != nil, settings.password == nil {
            throw redis.error("username needs password")
        }
        return settings
    }

    private static func sentinelSettings(
        _ keys: YAMLMapping,
        sentinels: YAMLValue,
        in redis: YAMLValue
    ) throws(ConfigurationError) -> RedisSentinelSettings {
        var addresses: [String] = []
        for entry in try sentinels.sequence() {
            let text = try entry.nonEmptyString()
            do {
                _ = try RedisNodeAddress(parsing: text, defaultPort: RedisSentinelConfiguration.defaultPort)
            } catch {
                throw entry.error("must be host:port: \(error.reason)")
            }
            addresses.append(text)
        }
        guard !addresses.isEmpty else {
            throw sentinels.error("must list at least one sentinel")
        }
        guard let masterName = keys["masterName"] else {
            throw redis.error("sentinels need masterName, the name in the sentinels' `sentinel monitor` lines")
        }
        let name = try masterName.nonEmptyString()
        guard !name.contains(where: \.isWhitespace) else {
            throw masterName.error("must be one word")
        }
        var settings = RedisSentinelSettings(sentinels: addresses, masterName: name)
        settings.username = try keys["username"]?.nonEmptyString()
        settings.password = try keys["password"]?.secret()
        settings.database = try keys["database"]?.integer(in: 0...Int.max, "a database number, 0 or more") ?? 0
        settings.sentinelUsername = try keys["sentinelUsername"]?.nonEmptyString()
        settings.sentinelPassword = try keys["sentinelPassword"]?.secret()
        if settings.username != nil, settings.password == nil {
            throw redis.error("username needs password")
        }
        if settings.sentinelUsername != nil, settings.sentinelPassword == nil {
            throw redis.error("sentinelUsername needs sentinelPassword")
        }
        return settings
    }

    private static func replicaWait(_ keys: YAMLMapping) throws(ConfigurationError) -> RedisReplicaWaitSettings? {
        // Below the Redis command timeout (2 s), or a slow replica would read as a lost connection.
        let timeout = try keys["waitTimeoutMs"]?.integer(in: 1...1_500, "a number of milliseconds from 1 to 1500")
        guard let replicas = keys["waitReplicas"] else {
            if let waitTimeout = keys["waitTimeoutMs"], timeout != nil {
                throw waitTimeout.error("needs waitReplicas")
            }
            return nil
        }
        let count = try replicas.integer(in: 0...100, "a number of replicas from 0 to 100 (0 waits for none)")
        guard count > 0 else {
            return nil
        }
        return RedisReplicaWaitSettings(replicas: count, timeout: .milliseconds(timeout ?? 500))
    }
}
