import Foundation
import HeraldRedis
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

private func sendKill(_ pid: pid_t) {
    kill(pid, SIGKILL)
}

/// A throwaway `redis-server` for tests, listening on 127.0.0.1 only.
///
/// Each instance runs Redis without persistence (`--save "" --appendonly no`) in its own temporary directory, on
/// ports of its own, and is ready when ``start(_:)`` returns. ``kill()`` simulates a crash, ``restart()`` brings the
/// server back on the same ports (clients reconnect to the same URL), and ``stop()`` or `deinit` ends the process
/// and removes the directory, so no test leaves a server behind.
///
/// Redis cannot listen on port 0 and report the port, so ``start(_:)`` picks a port and tries it: readiness is
/// read from *this* server's own log ("Ready to accept connections"), never from a `PING` that any server on the
/// port could answer, and a port someone else holds is retried with another. Ports come from below the kernel's
/// ephemeral range, so outgoing connections never take one while a test has the server killed.
///
/// Usage:
/// ```swift
/// let server = try await RedisServerProcess.start(.init(password: "secret"))
/// defer { server.stop() }
/// let configuration = try RedisConfiguration(url: server.url)
/// ```
final class RedisServerProcess: Sendable {
    /// What the server should require or offer besides plain TCP.
    struct Options: Sendable {
        /// `--requirepass`: clients must `AUTH` with this password.
        var password: String?
        /// Certificates for a TLS port (`--tls-port`) next to the plain one; clients need no certificate.
        var tls: TestCertificates?
        /// Further `redis-server` arguments, for example `["--maxmemory", "10mb"]`.
        var extraArguments: [String] = []
        /// Runs the server as a Redis Cluster of one node owning all 16384 slots (`--cluster-enabled yes`, then
        /// `CLUSTER ADDSLOTSRANGE 0 16383`): it refuses what a real cluster refuses — a command or script touching
        /// keys of two slots — without any routing, since every slot is local.
        var cluster: Bool = false

        init(password: String? = nil, tls: TestCertificates? = nil, extraArguments: [String] = [], cluster: Bool = false) {
            self.password = password
            self.tls = tls
            self.extraArguments = extraArguments
            self.cluster = cluster
        }

        /// A one-node cluster (``cluster``).
        static let oneNodeCluster = Options(cluster: true)
    }

    enum Failure: Error, CustomStringConvertible {
        /// Another process listens on one of the ports.
        case portTaken(port: Int, log: String)
        /// The server exited or did not become ready in time.
        case notReady(port: Int, log: String)

        var description: String {
            switch self {
            case .portTaken(let port, let log): "redis-server could not bind port \(port); its log:\n\(log)"
            case .notReady(let port, let log): "redis-server on port \(port) did not become ready; its log:\n\(log)"
            }
        }
    }

    /// How many ports ``start(_:)`` tries before giving up.
    static let portAttempts = 8
    /// Where ``start(_:)`` picks ports: above the well-known services, below Linux's ephemeral range (32768–60999).
    static let portRange = 20_000..<32_768

    /// The plain TCP port.
    let port: Int
    /// The TLS port, when ``Options/tls`` was given.
    let tlsPort: Int?
    let options: Options
    private let directory: URL
    private let process = NIOLockedValueBox<Process?>(nil)

    /// `redis://127.0.0.1:<port>`, with the password when one is required.
    var url: String {
        let credentials = options.password.map { ":\($0)@" } ?? ""
        return "redis://\(credentials)127.0.0.1:\(port)"
    }

    /// `rediss://127.0.0.1:<tlsPort>`, with the password when one is required; `nil` without TLS.
    var tlsURL: String? {
        guard let tlsPort else {
            return nil
        }
        let credentials = options.password.map { ":\($0)@" } ?? ""
        return "rediss://\(credentials)127.0.0.1:\(tlsPort)"
    }

    /// Starts a server and waits (up to 10 s) until it is ready; a port another process holds is retried with
    /// fresh ports, up to ``portAttempts`` times.
    static func start(_ options: Options = Options()) async throws -> RedisServerProcess {
        try await start(options) { Int.random(in: portRange) }
    }

    /// ``start(_:)`` with the ports chosen by `choosePort`, so a test can hand it a port that is taken.
    static func start(_ options: Options, choosingPortsWith choosePort: () -> Int) async throws -> RedisServerProcess {
        var attempt = 0
        while true {
            attempt += 1
            let server = try RedisServerProcess(
                options: options,
                port: choosePort(),
                tlsPort: options.tls == nil ? nil : choosePort()
            )
            do {
                try await server.restart()
                return server
            } catch Failure.portTaken where attempt < portAttempts {
                server.stop()
            } catch {
                server.stop()
                throw error
            }
        }
    }

    private init(options: Options, port: Int, tlsPort: Int?) throws {
        self.options = options
        self.port = port
        self.tlsPort = tlsPort
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        stop()
    }

    /// Whether the process is running.
    var isRunning: Bool {
        process.withLockedValue { $0?.isRunning ?? false }
    }

    /// The process ID while the server runs, to tell this server from another one on the same port.
    var processIdentifier: Int32? {
        process.withLockedValue { $0?.isRunning == true ? $0?.processIdentifier : nil }
    }

    /// Starts the server again on the same ports (after ``kill()``) and waits until its own log says it is ready;
    /// throws ``Failure/portTaken(port:log:)`` when another process holds a port meanwhile.
    func restart() async throws {
        guard !isRunning else {
            return
        }
        let log = directory.appendingPathComponent("redis.log")
        try? FileManager.default.removeItem(at: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = arguments()
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process.withLockedValue { $0 = process }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline {
            if readLog().contains("Ready to accept connections") {
                if options.cluster {
                    try await takeAllSlots(until: deadline)
                }
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill()
        let text = readLog()
        guard text.contains("Address already in use") else {
            throw Failure.notReady(port: port, log: text)
        }
        throw Failure.portTaken(port: port, log: text)
    }

    /// Assigns every slot to this node (unless its `nodes.conf` already does, after a restart) and waits until
    /// `CLUSTER INFO` reports `cluster_state:ok`.
    private func takeAllSlots(until deadline: ContinuousClock.Instant) async throws {
        let client = try RedisClient(configuration: try RedisConfiguration(url: url))
        do {
            try await client.waitUntilConnected(timeout: .seconds(5))
            let ready = try await Self.takeAllSlots(on: client, until: deadline)
            await client.close()
            guard ready else { throw Failure.notReady(port: port, log: readLog() + "\ncluster_state never ok") }
        } catch {
            await client.close()
            throw error
        }
    }

    private static func takeAllSlots(on client: RedisClient, until deadline: ContinuousClock.Instant) async throws -> Bool {
        func info() async throws -> String { try await client.send(["CLUSTER", "INFO"]).string ?? "" }
        if try await !info().contains("cluster_slots_assigned:16384") {
            _ = try await client.send(["CLUSTER", "ADDSLOTSRANGE", "0", "16383"])
        }
        while ContinuousClock.now < deadline {
            if try await info().contains("cluster_state:ok") {
                return true
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Kills the server with SIGKILL, as a crash would, and waits for it to exit; the data is gone.
    func kill() {
        guard let running = process.withLockedValue({ $0 }), running.isRunning else {
            return
        }
        sendKill(running.processIdentifier)
        running.waitUntilExit()
    }

    /// Ends the server and removes its directory. Safe to call more than once.
    func stop() {
        kill()
        process.withLockedValue { $0 = nil }
        try? FileManager.default.removeItem(at: directory)
    }

    private func readLog() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
    }

    private func arguments() -> [String] {
        var arguments = [
            "--bind", "127.0.0.1",
            "--port", String(port),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", directory.path,
            "--logfile", directory.appendingPathComponent("redis.log").path,
            "--enable-debug-command", "local",
        ]
        if let password = options.password {
            arguments += ["--requirepass", password]
        }
        if let tls = options.tls, let tlsPort {
            arguments += [
                "--tls-port", String(tlsPort),
                "--tls-cert-file", tls.serverCertificate,
                "--tls-key-file", tls.serverKey,
                "--tls-ca-cert-file", tls.caCertificate,
                "--tls-auth-clients", "no",
            ]
        }
        if options.cluster {
            arguments += ["--cluster-enabled", "yes", "--cluster-config-file", directory.appendingPathComponent("nodes.conf").path]
        }
        return arguments + options.extraArguments
    }
}
