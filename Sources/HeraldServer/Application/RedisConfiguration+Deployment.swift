import Herald
import HeraldRedis

extension RedisConfiguration {
    /// The client settings of `deployment`, from `config.yml` or `REDIS_URL`.
    ///
    /// - Throws: ``RedisConfigurationError`` when a URL or a sentinel address cannot be read (the settings parser
    ///   checked them already, so only settings made in code get here).
    init(_ deployment: RedisDeployment) throws(RedisConfigurationError) {
        switch deployment {
        case .url(let url):
            try self.init(url: url)
        case .sentinel(let settings):
            var sentinels: [RedisNodeAddress] = []
            for text in settings.sentinels {
                sentinels.append(try RedisNodeAddress(parsing: text, defaultPort: RedisSentinelConfiguration.defaultPort))
            }
            let sentinel = try RedisSentinelConfiguration(
                sentinels: sentinels,
                masterName: settings.masterName,
                username: settings.sentinelUsername,
                password: settings.sentinelPassword
            )
            self.init(sentinel: sentinel)
            username = settings.username
            password = settings.password
            database = settings.database
        case .cluster(let settings):
            try self.init(clusterSeeds: settings.seeds)
            username = settings.username
            password = settings.password
        }
    }
}
