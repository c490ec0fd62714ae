extension RedisConfiguration {
    /// Reads `redis://[user[:password]@]host[:port][/db]` or the TLS form `rediss://…`, the URL format of
    /// `redis.url` and `REDIS_URL`; a Redis Cluster is `redis+cluster://[user[:password]@]host:port,host:port,…`
    /// (or `rediss+cluster://`), listing seed nodes, without a database (a cluster has only database 0); a master
    /// found through Sentinel is `redis+sentinel://[user[:password]@]host:port,host:port,…/masterName[/db]` (or
    /// `rediss+sentinel://` for TLS to the master), listing sentinels (port 26379 when not written) — the
    /// credentials are the master's.
    ///
    /// User and password may be percent-encoded (`%40` for `@`); `redis://:password@host` authenticates the
    /// default user. IPv6 hosts go in brackets. Query strings are refused rather than silently ignored, because
    /// an option that does nothing is worse than a clear error. Every other setting keeps its default.
    public init(url: String) throws(RedisConfigurationError) {
        self.init()
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw RedisConfigurationError("it does not start with redis:// or rediss://")
        }
        let kind: URLKind
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "redis": (tls, kind) = (nil, .server)
        case "rediss": (tls, kind) = (RedisTLSConfiguration(), .server)
        case "redis+cluster": (tls, kind) = (nil, .cluster)
        case "rediss+cluster": (tls, kind) = (RedisTLSConfiguration(), .cluster)
        case "redis+sentinel": (tls, kind) = (nil, .sentinel)
        case "rediss+sentinel": (tls, kind) = (RedisTLSConfiguration(), .sentinel)
        case let other:
            throw RedisConfigurationError(
                "unsupported scheme \"\(other)\"; expected redis://, rediss://, redis+cluster://, rediss+cluster://, "
                    + "redis+sentinel:// or rediss+sentinel://"
            )
        }
        let rest = url[schemeEnd.upperBound...]
        if rest.contains("?") {
            throw RedisConfigurationError("query parameters are not supported")
        }
        if rest.contains("#") {
            throw RedisConfigurationError("a fragment (#…) is not allowed")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            try readCredentials(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        if kind == .sentinel {
            try readSentinels(authority, path: rest[authorityEnd...])
            return
        }
        database = try Self.database(from: rest[authorityEnd...])
        guard kind == .cluster else {
            let address = try Self.hostAndPort(authority)
            host = address.host
            port = address.port ?? port
            return
        }
        guard database == 0 else {
            throw RedisConfigurationError("a Redis Cluster has only database 0; remove \"/\(database)\"")
        }
        var seeds: [RedisNodeAddress] = []
        for node in authority.split(separator: ",", omittingEmptySubsequences: false) {
            seeds.append(try RedisNodeAddress(parsing: node))
        }
        host = seeds[0].host
        port = seeds[0].port
        topology = .cluster(seeds: seeds)
    }

    /// What a URL's scheme names: one server, a cluster's seed nodes, or the sentinels of a master.
    private enum URLKind {
        case server, cluster, sentinel
    }

    private mutating func readCredentials(_ userinfo: Substring) throws(RedisConfigurationError) {
        let user: Substring
        let secret: Substring?
        if let colon = userinfo.firstIndex(of: ":") {
            user = userinfo[..<colon]
            secret = userinfo[userinfo.index(after: colon)...]
        } else {
            user = userinfo
            secret = nil
        }
        let decodedUser = try Self.percentDecoded(user, part: "user name")
        let decodedPassword = try secret.map { (text) throws(RedisConfigurationError) in
            try Self.percentDecoded(text, part: "password")
        }
        username = decodedUser.isEmpty ? nil : decodedUser
        password = (decodedPassword?.isEmpty ?? true) ? nil : decodedPassword
        if username != nil && password == nil {
            throw RedisConfigurationError(
                "a user name needs a password (redis://user:password@host); a password alone is written redis://:password@host"
            )
        }
    }

    /// Reads `host[:port]` or `[ipv6][:port]`; the port is `nil` when not written.
    static func hostAndPort(_ authority: Substring) throws(RedisConfigurationError) -> (host: String, port: Int?) {
        let host: String
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw RedisConfigurationError("IPv6 host has no closing bracket")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw RedisConfigurationError("unexpected \"\(after)\" after the IPv6 host")
                }
                portText = after.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                throw RedisConfigurationError("too many colons in the host; put an IPv6 address in brackets")
            }
            host = String(parts[0])
            portText = parts.count == 2 ? parts[1] : nil
        }
        guard !host.isEmpty else {
            throw RedisConfigurationError("the host is missing")
        }
        guard let portText else {
            return (host, nil)
        }
        guard portText.allSatisfy(\.isASCII), let number = Int(portText), (1...65535).contains(number) else {
            throw RedisConfigurationError("port \"\(portText)\" is not a number from 1 to 65535")
        }
        return (host, number)
    }

    static func database(from path: Substring) throws(RedisConfigurationError) -> Int {
        let text = path.drop { $0 == "/" }
        guard !text.isEmpty else {
            return 0
        }
        guard text.allSatisfy(\.isASCII), let number = Int(text), number >= 0 else {
            throw RedisConfigurationError("database \"\(text)\" is not a non-negative number")
        }
        return number
    }

    private static func percentDecoded(_ text: Substring, part: String) throws(RedisConfigurationError) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw RedisConfigurationError("the \(part) has a broken percent-escape")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
