extension RedisConfiguration {
    /// Reads the sentinel list `host:port,host:port,…` and the path `/masterName[/db]` of a `redis+sentinel://` URL.
    mutating func readSentinels(_ authority: Substring, path: Substring) throws(RedisConfigurationError) {
        var sentinels: [RedisNodeAddress] = []
        for entry in authority.split(separator: ",", omittingEmptySubsequences: false) {
            sentinels.append(try RedisNodeAddress(parsing: entry, defaultPort: RedisSentinelConfiguration.defaultPort))
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard let name = segments.first, !name.isEmpty, segments.count <= 2 else {
            throw RedisConfigurationError("a redis+sentinel:// URL names the master after the sentinels: …/masterName[/db]")
        }
        database = try Self.database(from: segments.dropFirst().first.map { "/" + $0 } ?? "")
        topology = .sentinel(try RedisSentinelConfiguration(sentinels: sentinels, masterName: String(name)))
        host = sentinels[0].host
        port = sentinels[0].port
    }
}
