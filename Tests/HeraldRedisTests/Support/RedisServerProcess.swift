import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc

    private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
    import Darwin

    private let streamSocket = SOCK_STREAM
#endif

private func sendKill(_ pid: pid_t) {
    kill(pid, SIGKILL)
}

/// A throwaway `redis-server` for tests, listening on 127.0.0.1 only.
///
/// Each instance picks free ports, runs Redis without persistence (`--save "" --appendonly no`) in its own
/// temporary directory, and is answering `PING` when ``start(_:)`` returns. ``kill()`` simulates a crash,
/// ``restart()`` brings the server back on the same ports (clients reconnect to the same URL), and
/// ``stop()`` or `deinit` ends the process and removes the directory, so no test leaves a server behind.
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

        init(password: String? = nil, tls: TestCertificates? = nil, extraArguments: [String] = []) {
            self.password = password
            self.tls = tls
            self.extraArguments = extraArguments
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case notReady(port: Int, log: String)

        var description: String {
            switch self {
            case .notReady(let port, let log): "redis-server on port \(port) did not answer PING; its log:\n\(log)"
            }
        }
    }

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

    /// Starts a server and waits (up to 10 s) until it answers. A port taken by someone else between choosing
    /// and binding it is retried with fresh ports.
    static func start(_ options: Options = Options()) async throws -> RedisServerProcess {
        var attempt = 0
        while true {
            attempt += 1
            let server = try RedisServerProcess(options: options, port: try freePort(), tlsPort: options.tls == nil ? nil : try freePort())
            do {
                try await server.restart()
                return server
            } catch {
                server.stop()
                if attempt == 3 {
                    throw error
                }
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

    /// Starts the server again on the same ports (after ``kill()``) and waits until it answers.
    func restart() async throws {
        guard !isRunning else {
            return
        }
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
        while ContinuousClock.now < deadline {
            if Self.answersPing(port: port) {
                return
            }
            guard process.isRunning else {
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
        stop()
        throw Failure.notReady(port: port, log: log)
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
        return arguments + options.extraArguments
    }

    /// Whether something on `port` answers a RESP `PING` (`+PONG`, or `-NOAUTH` when a password is required).
    private static func answersPing(port: Int) -> Bool {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else {
            return false
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            return false
        }
        #if canImport(Glibc)
            let noSignal = Int32(MSG_NOSIGNAL)
        #else
            let noSignal: Int32 = 0
        #endif
        let ping = Array("PING\r\n".utf8)
        guard send(fd, ping, ping.count, noSignal) == ping.count else {
            return false
        }
        var reply = [UInt8](repeating: 0, count: 64)
        let received = recv(fd, &reply, reply.count, 0)
        return received > 0 && (reply[0] == UInt8(ascii: "+") || reply[0] == UInt8(ascii: "-"))
    }

    /// A port that was free a moment ago: bind port 0 on 127.0.0.1, read the port the kernel chose, release it.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else {
            throw POSIXError(.EMFILE)
        }
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            throw POSIXError(.EADDRINUSE)
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        return address
    }
}
