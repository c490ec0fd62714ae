import Foundation
import HeraldRedis

/// A throwaway Redis Cluster for tests: three masters and three replicas, six `redis-server` processes on
/// 127.0.0.1 with `--cluster-enabled yes` and a short node timeout (1 s), joined by `redis-cli --cluster create`.
///
/// Ports: each node needs its port and the cluster bus port 10000 above it, so nodes take ports from
/// 20000–22767 (buses 30000–32767, still below the ephemeral range); a taken port is retried like
/// ``RedisServerProcess`` does. ``start()`` returns once every node reports `cluster_state:ok`; ``stop()`` (or
/// `deinit`) ends every process.
final class RedisClusterProcess: Sendable {
    /// The six nodes; which are masters changes when a test kills one.
    let nodes: [RedisServerProcess]

    /// Starts six nodes and joins them, waiting (up to 30 s) until the cluster is ready.
    static func start() async throws -> RedisClusterProcess {
        var nodes: [RedisServerProcess] = []
        do {
            for _ in 0..<6 {
                nodes.append(try await RedisServerProcess.start(options) { Int.random(in: 20_000..<22_768) })
            }
            let cluster = RedisClusterProcess(nodes: nodes)
            try cluster.create()
            guard await cluster.waitUntilHealthy(timeout: .seconds(30)) else {
                throw RedisServerProcess.Failure.notReady(port: nodes[0].port, log: "cluster_state never became ok")
            }
            return cluster
        } catch {
            for node in nodes { node.stop() }
            throw error
        }
    }

    private static let options = RedisServerProcess.Options(extraArguments: [
        "--cluster-enabled", "yes",
        "--cluster-config-file", "nodes.conf",
        "--cluster-node-timeout", "1000",
        "--cluster-replica-validity-factor", "0",
        "--cluster-require-full-coverage", "no",
        "--cluster-allow-reads-when-down", "no",
        "--repl-diskless-sync-delay", "0",
    ])

    private init(nodes: [RedisServerProcess]) {
        self.nodes = nodes
    }

    deinit {
        stop()
    }

    /// `redis+cluster://127.0.0.1:<p1>,…` naming the first three nodes as seeds.
    var url: String {
        "redis+cluster://" + nodes.prefix(3).map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
    }

    /// Ends every node. Safe to call more than once.
    func stop() {
        for node in nodes { node.stop() }
    }

    /// The node listening on `port`.
    func node(port: Int) -> RedisServerProcess? {
        nodes.first { $0.port == port }
    }

    /// Runs `redis-cli -p <port> args…` and returns its output.
    @discardableResult
    func cli(port: Int, _ arguments: [String]) throws -> String {
        try Self.run("/usr/bin/redis-cli", ["-h", "127.0.0.1", "-p", String(port)] + arguments)
    }

    /// Whether every running node reports `cluster_state:ok` and every running replica's link to its master is up
    /// (so `WAIT` and a failover find a synchronised replica).
    func isHealthy() -> Bool {
        let running = nodes.filter(\.isRunning)
        return running.allSatisfy { node in
            guard ((try? cli(port: node.port, ["CLUSTER", "INFO"])) ?? "").contains("cluster_state:ok") else {
                return false
            }
            let replication = (try? cli(port: node.port, ["INFO", "replication"])) ?? ""
            return replication.contains("role:master") || replication.contains("master_link_status:up")
        }
    }

    /// Polls ``isHealthy()`` until it holds or `timeout` passes.
    func waitUntilHealthy(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if isHealthy() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return isHealthy()
    }

    /// The port of the master serving `key`'s slot, as the cluster (asked through a running node) sees it now.
    func masterPort(of key: String) throws -> Int? {
        guard let asked = nodes.first(where: \.isRunning) else { return nil }
        let slot = try cli(port: asked.port, ["CLUSTER", "KEYSLOT", key]).trimmingCharacters(in: .whitespacesAndNewlines)
        let lines = try cli(port: asked.port, ["CLUSTER", "NODES"]).split(separator: "\n")
        guard let number = Int(slot) else { return nil }
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count >= 9, fields[2].contains("master"), !fields[2].contains("fail") else { continue }
            for range in fields[8...] {
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                let (low, high) = bounds.count == 2 ? (bounds[0], bounds[1]) : (bounds.first ?? -1, bounds.first ?? -1)
                if (low...high).contains(number), let port = fields[1].split(separator: ":").last?.split(separator: "@").first {
                    return Int(port)
                }
            }
        }
        return nil
    }

    /// The node ID of the node on `port`.
    func nodeID(port: Int) throws -> String {
        try cli(port: port, ["CLUSTER", "MYID"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func create() throws {
        let addresses = nodes.map { "127.0.0.1:\($0.port)" }
        let output = try Self.run(
            "/usr/bin/redis-cli",
            ["--cluster", "create"] + addresses + ["--cluster-replicas", "1", "--cluster-yes"]
        )
        guard output.contains("[OK] All 16384 slots covered") else {
            throw RedisServerProcess.Failure.notReady(port: nodes[0].port, log: output)
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
