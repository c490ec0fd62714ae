import Herald

/// Reads one environment's section of `config.yml` into `HeraldSettings`.
enum SettingsParser {
    /// What Herald runs with when a key is absent: the Node service's defaults (port 1337, messages of offline
    /// devices kept 3600 s), so an existing `config.yml` that relied on them behaves the same.
    static let defaults = HeraldSettings()

    /// Keys of an environment's section that Herald reads.
    static let knownKeys: Set<String> = [
        "port", "host", "device_ttl", "device_queue_limit", "redis", "flakeid", "io", "hooks", "send", "cluster", "admin",
        "eventServer",
        "tls",
        "trustedProxies", "allowFrom", "denyFrom", "maxAuthAttemptsPerMinute",
    ]

    /// The settings of `section`; nil (an environment written with nothing under it) gives the defaults.
    static func parse(section: YAMLValue?, warnings: inout [String]) throws(ConfigurationError) -> HeraldSettings {
        var settings = defaults
        guard let section else {
            return settings
        }
        let keys = try section.mapping()
        keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
        if let port = keys["port"] {
            settings.port = try port.integer(in: 1...65_535, "an integer between 1 and 65535")
        }
        if let host = keys["host"] {
            settings.host = try host.nonEmptyString()
        }
        if let deviceTTL = keys["device_ttl"] {
            settings.deviceTTL = try deviceTTL.integer(
                in: 0...Int.max,
                "an integer number of seconds, 0 or more (0 keeps messages forever)"
            )
        }
        if let limit = keys["device_queue_limit"] {
            settings.maxQueueLength = try limit.integer(in: 1...1_000_000, "an integer between 1 and 1000000 (messages)")
        }
        if let redis = keys["redis"] {
            (settings.redis, settings.redisReplicaWait) = try RedisSettingsParser.parse(redis, warnings: &warnings)
        }
        if let flakeID = keys["flakeid"] {
            let flakeKeys = try flakeID.mapping()
            flakeKeys.warnAboutUnknownKeys(known: ["datacenter", "worker"], into: &warnings)
            if let datacenter = flakeKeys["datacenter"] {
                settings.flakeDatacenter = try datacenter.integer(in: 0...31, "an integer between 0 and 31")
            }
            if let worker = flakeKeys["worker"] {
                settings.flakeWorker = try worker.integer(in: 0...31, "an integer between 0 and 31")
            }
        }
        if let io = keys["io"] {
            settings.io = try IOSettingsParser.parse(io, warnings: &warnings)
        }
        if let hooks = keys["hooks"] {
            let hookKeys = try hooks.mapping()
            hookKeys.warnAboutUnknownKeys(known: ["timeout"], into: &warnings)
            if let timeout = hookKeys["timeout"] {
                settings.hookTimeout = .milliseconds(try timeout.integer(in: 1...Int.max, "a positive number of milliseconds"))
            }
        }
        if let send = keys["send"] {
            let sendKeys = try send.mapping()
            sendKeys.warnAboutUnknownKeys(known: ["maxBodyBytes"], into: &warnings)
            if let maxBodyBytes = sendKeys["maxBodyBytes"] {
                settings.maxSendBodyBytes = try maxBodyBytes.integer(in: 1...Int.max, "a positive number of bytes")
            }
        }
        if let cluster = keys["cluster"] {
            let clusterKeys = try cluster.mapping()
            clusterKeys.warnAboutUnknownKeys(
                known: ["heartbeat", "instanceTimeout", "maxBufferBytes", "advertise", "secret", "maxForwards"],
                into: &warnings
            )
            if let heartbeat = clusterKeys["heartbeat"] {
                settings.heartbeatInterval = .milliseconds(try heartbeat.integer(in: 100...60_000, "milliseconds between 100 and 60000"))
            }
            if let timeout = clusterKeys["instanceTimeout"] {
                settings.instanceTimeout = .milliseconds(try timeout.integer(in: 500...600_000, "milliseconds between 500 and 600000"))
            }
            if let maxBufferBytes = clusterKeys["maxBufferBytes"] {
                settings.clusterMaxBufferBytes = try maxBufferBytes.integer(in: 65_536...Int.max, "a number of bytes, at least 65536")
            }
            try parseForwarding(clusterKeys, into: &settings)
            guard settings.instanceTimeout > settings.heartbeatInterval * 2 else {
                throw cluster.error("instanceTimeout must be more than twice the heartbeat")
            }
        }
        if let admin = keys["admin"] {
            settings.adminKey = try adminKey(in: admin, warnings: &warnings)
        }
        if let eventServer = keys["eventServer"] {
            settings.eventServer = try EventServerSettingsParser.parse(eventServer, warnings: &warnings)
        }
        if let tls = keys["tls"] {
            settings.tls = try TLSSettingsParser.parse(tls, warnings: &warnings)
        }
        settings.connectionPolicy = try connectionPolicy(keys)
        return settings
    }

    /// `trustedProxies`, `allowFrom` / `denyFrom` and `maxAuthAttemptsPerMinute`, keys of the section itself.
    private static func connectionPolicy(_ keys: YAMLMapping) throws(ConfigurationError) -> ConnectionPolicySettings {
        ConnectionPolicySettings(
            trustedProxies: try keys["trustedProxies"].map { value throws(ConfigurationError) in
                try AddressPolicyParser.ranges(value)
            } ?? [],
            addresses: try AddressPolicyParser.parse(keys),
            maxAuthAttemptsPerMinute: try keys.positiveInteger("maxAuthAttemptsPerMinute", "a positive number of attempts")
        )
    }

    /// Shortest accepted `admin.key`: the key guards disconnecting users, so it must not be guessable.
    static let minimumAdminKeyLength = 16

    private static func adminKey(in admin: YAMLValue, warnings: inout [String]) throws(ConfigurationError) -> String? {
        let adminKeys = try admin.mapping()
        adminKeys.warnAboutUnknownKeys(known: ["key"], into: &warnings)
        guard let key = adminKeys["key"] else { return nil }
        let text = try key.nonEmptyString()
        guard text.count >= minimumAdminKeyLength else {
            throw key.error("must be at least \(minimumAdminKeyLength) characters")
        }
        return text
    }
}
