/// Why Sentinel could not give Herald a usable master. It ends a connection attempt like a refused connection
/// would: the attempt is retried with backoff and commands meanwhile fail with ``RedisError/unavailable``.
enum RedisSentinelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No sentinel named the master; one reason per sentinel asked, in the order they were asked.
    case noMaster(name: String, reasons: [String])
    /// The node the sentinels named does not say `master` to `ROLE`: it was demoted, or the sentinels lag behind.
    case notMaster(RedisNodeAddress, role: String)

    var description: String {
        switch self {
        case .noMaster(let name, let reasons):
            "no sentinel named the master \"\(name)\": " + reasons.joined(separator: "; ")
        case .notMaster(let address, let role):
            "\(address), named master by Sentinel, answers ROLE with \"\(role)\""
        }
    }
}
