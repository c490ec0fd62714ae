/// The Redis a store test runs against: the scripts must work on a plain server and on a cluster, where a script
/// that touches keys of two slots is refused.
enum RedisTopology: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// One plain `redis-server`.
    case single
    /// One `redis-server` in cluster mode owning every slot (``RedisServerProcess/Options/cluster``).
    case oneNodeCluster

    /// The server options for this topology.
    var options: RedisServerProcess.Options {
        switch self {
        case .single: RedisServerProcess.Options()
        case .oneNodeCluster: RedisServerProcess.Options.oneNodeCluster
        }
    }

    var testDescription: String { rawValue }
}
