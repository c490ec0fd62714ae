import Foundation

/// An HTTPS site on 127.0.0.1: a `python3` child process serving a certificate that the `openssl` CLI made
/// for this test alone, so the client must be given that certificate as its CA bundle.
///
/// Every path answers 200 `secure hello`.
final class HTTPSTestServer {
    /// The PEM certificate, to pass as `caBundlePath`.
    let certificatePath: String
    /// The port the server listens on.
    let port: Int
    private let directory: URL
    private let process: Process

    private init(certificatePath: String, port: Int, directory: URL, process: Process) {
        self.certificatePath = certificatePath
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Whether `openssl` and `python3` are on the PATH.
    static var toolsAvailable: Bool { executable("openssl") != nil && executable("python3") != nil }

    /// Creates the certificate and starts the server; the caller must `stop()` it.
    static func start() async throws -> HTTPSTestServer {
        guard let openssl = executable("openssl"), let python = executable("python3") else { throw StartError.toolsMissing }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hookclient-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        do {
            try await run(
                openssl,
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
                ]
            )
            let process = Process()
            process.executableURL = python
            process.arguments = ["-c", serverScript, certificate, key]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            guard let port = await firstLine(of: output.fileHandleForReading).flatMap(Int.init) else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw StartError.noPort
            }
            return HTTPSTestServer(certificatePath: certificate, port: port, directory: directory, process: process)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// An absolute URL on this server.
    func url(_ path: String) -> String { "https://127.0.0.1:\(port)\(path)" }

    /// Ends the child process and removes the certificate.
    ///
    /// SIGKILL, because the child inherits the spawning thread's signal mask, in which the test runner's threads
    /// block SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    enum StartError: Error { case toolsMissing, commandFailed(String), noPort }

    private static let serverScript = """
        import http.server, ssl, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = b"secure hello"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    private static func executable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    private static func run(_ executable: URL, _ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else { throw StartError.commandFailed("\(executable.lastPathComponent) exited with \(status)") }
    }

    /// The first line the child writes, or nil if it exits first; read on a thread of its own because the read blocks.
    private static func firstLine(of handle: FileHandle) async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            Thread {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.availableData
                    guard !chunk.isEmpty else { return continuation.resume(returning: nil) }
                    bytes += chunk
                    if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                        return continuation.resume(returning: String(decoding: bytes[..<newline], as: UTF8.self))
                    }
                }
            }.start()
        }
    }
}
