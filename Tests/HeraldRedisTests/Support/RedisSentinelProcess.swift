import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A throwaway Redis Sentinel for tests (`redis-server sentinel.conf --sentinel`) on 127.0.0.1, monitoring one
/// master with quorum 1 and short timeouts, in its own temporary directory.
///
/// Like ``RedisServerProcess`` it picks a port below the ephemeral range, reads readiness from its own log
/// (`+monitor master`) and retries another port when one is taken. ``stop()`` or `deinit` kills it and removes the
/// directory.
final class RedisSentinelProcess: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case notReady(port: Int, log: String)

        var description: String {
            switch self {
            case .notReady(let port, let log): "sentinel on port \(port) did not become ready; its log:\n\(log)"
            }
        }
    }

    /// The port the sentinel listens on.
    let port: Int
    private let directory: URL
    private let process: Process

    /// Starts a sentinel monitoring `masterName` at 127.0.0.1:`masterPort` and waits (up to 10 s) until it does.
    static func start(masterName: String, masterPort: Int) async throws -> RedisSentinelProcess {
        var attempt = 0
        while true {
            attempt += 1
            let port = Int.random(in: RedisServerProcess.portRange)
            do {
                return try await RedisSentinelProcess(masterName: masterName, masterPort: masterPort, port: port)
            } catch Failure.notReady(_, let log) where log.contains("Address already in use") && attempt < 8 {
                continue
            }
        }
    }

    private init(masterName: String, masterPort: Int, port: Int) async throws {
        self.port = port
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("sentinel.conf")
        try """
        port \(port)
        bind 127.0.0.1
        daemonize no
        dir \(directory.path)
        logfile \(directory.appendingPathComponent("sentinel.log").path)
        sentinel monitor \(masterName) 127.0.0.1 \(masterPort) 1
        sentinel down-after-milliseconds \(masterName) 1000
        sentinel failover-timeout \(masterName) 3000

        """.write(to: configuration, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [configuration.path, "--sentinel"]
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            try await waitForLog("+monitor master")
        } catch {
            stop()
            throw error
        }
    }

    deinit {
        stop()
    }

    /// Waits (up to 10 s) until the sentinel's log contains `text`, for example `+slave` once it found a replica.
    func waitForLog(_ text: String) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline {
            if log().contains(text) {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure.notReady(port: port, log: log())
    }

    /// What the sentinel logged so far.
    func log() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("sentinel.log"), encoding: .utf8)) ?? ""
    }

    /// Kills the sentinel and removes its directory. Safe to call more than once.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
