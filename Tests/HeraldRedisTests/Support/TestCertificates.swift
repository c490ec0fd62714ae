import Foundation

/// A private certificate authority and a server certificate (by default for 127.0.0.1 and `localhost`), made with the
/// `openssl` command line tool in a temporary directory, for TLS tests against a local `redis-server`.
final class TestCertificates: Sendable {
    /// PEM file of the CA certificate, to trust on the client.
    let caCertificate: String
    /// PEM file of the server certificate, signed by the CA.
    let serverCertificate: String
    /// PEM file of the server's private key.
    let serverKey: String
    private let directory: URL

    enum Failure: Error {
        case openssl(arguments: [String], status: Int32)
    }

    /// Makes a fresh CA and server certificate (EC P-256, valid for two days) for the given names, in
    /// OpenSSL's `subjectAltName` syntax.
    init(subjectAlternativeNames: String = "IP:127.0.0.1, DNS:localhost") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        caCertificate = directory.appendingPathComponent("ca.crt").path
        serverCertificate = directory.appendingPathComponent("server.crt").path
        serverKey = directory.appendingPathComponent("server.key").path
        let caKey = directory.appendingPathComponent("ca.key").path
        let request = directory.appendingPathComponent("server.csr").path
        let extensions = directory.appendingPathComponent("server.ext").path
        try """
        basicConstraints = CA:FALSE
        keyUsage = digitalSignature, keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = \(subjectAlternativeNames)
        """.write(toFile: extensions, atomically: true, encoding: .utf8)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(
            ["req", "-x509"] + key + [
                "-keyout", caKey, "-out", caCertificate, "-days", "2", "-subj", "/CN=Herald Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ]
        )
        try Self.openssl(["req"] + key + ["-keyout", serverKey, "-out", request, "-subj", "/CN=localhost"])
        try Self.openssl([
            "x509", "-req", "-in", request, "-CA", caCertificate, "-CAkey", caKey, "-CAcreateserial",
            "-out", serverCertificate, "-days", "2", "-extfile", extensions,
        ])
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure.openssl(arguments: arguments, status: process.terminationStatus)
        }
    }
}
