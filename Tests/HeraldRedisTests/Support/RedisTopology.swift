import HeraldRedis
import Testing

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

/// Runs `body`; on the one-node cluster it also audits with `MONITOR` that every script kept to one slot
/// (``ScriptKeyAudit``), which Redis 7.0 itself checks only per command.
func auditingScripts(of server: RedisServerProcess, on topology: RedisTopology, _ body: () async throws -> Void) async throws {
    guard topology == .oneNodeCluster else { return try await body() }
    let audit = try await ScriptKeyAudit(server)
    try await body()
    let violations = try await audit.violations()
    #expect(violations == [], "scripts left their slot")
    #expect(audit.scriptCalls() > 0, "the audit saw the scripts")
}

/// ``withRedis(_:configure:_:)`` on `topology`, the scripts audited on the one-node cluster.
func withRedis(_ topology: RedisTopology, _ body: (RedisServerProcess, RedisClient) async throws -> Void) async throws {
    try await withRedis(topology.options) { server, client in
        try await auditingScripts(of: server, on: topology) { try await body(server, client) }
    }
}
