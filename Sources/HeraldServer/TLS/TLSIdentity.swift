public import Foundation
public import Herald
import NIOSSL

/// A certificate chain and its private key, read from PEM files and checked to belong together, with the
/// `NIOSSLContext` that serves them.
///
/// Reading is strict so that `herald check-config` and a SIGHUP reload catch what would otherwise fail at the first
/// client's handshake: a missing or unreadable file, a file without a PEM certificate, an encrypted key (there is no
/// one to type its passphrase), a key that is not the certificate's.
public struct TLSIdentity: Sendable {
    /// Largest certificate or key file read: a chain of a few certificates is a few KiB, so anything larger is the
    /// wrong file (or a device such as `/dev/zero`), refused without being read into memory.
    static let maxFileBytes = 1 << 20

    /// TLS 1.2 suites offered: forward secret and AEAD only, as Mozilla's "intermediate" profile (swift-nio-ssl's
    /// default also has static-RSA and CBC suites). TLS 1.3 suites are BoringSSL's fixed, all-AEAD set.
    static let tls12CipherSuites = "ECDHE+AESGCM:ECDHE+CHACHA20"

    /// What the server hands to each new connection's `NIOSSLServerHandler`.
    let context: NIOSSLContext
    /// The server's own certificate (the first of the chain file).
    let leaf: NIOSSLCertificate
    /// Certificates in the chain file, the server's own included.
    public let chainLength: Int
    /// The settings the identity was read with.
    public let settings: TLSSettings

    /// Reads and checks the files named by `settings` and builds the TLS context: TLS 1.2 or the configured minimum,
    /// ALPN `http/1.1` (Herald speaks HTTP/1.1 and WebSocket only).
    public static func load(_ settings: TLSSettings) throws(TLSIdentityError) -> TLSIdentity {
        let certificateFile = settings.certificatePath
        let keyFile = settings.privateKeyPath
        let chain = try certificates(in: try read(certificateFile, part: .certificate), file: certificateFile)
        let key = try privateKey(in: try read(keyFile, part: .privateKey), file: keyFile)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = settings.minimumVersion == .tls13 ? .tlsv13 : .tlsv12
        configuration.cipherSuites = tls12CipherSuites
        configuration.applicationProtocols = ["http/1.1"]
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            // BoringSSL refuses a key whose public half is not the first certificate's.
            throw TLSIdentityError(
                file: keyFile,
                part: .pair,
                message: "the private key does not belong to the certificate in \(certificateFile) "
                    + "(the server's own certificate must come first in that file, intermediates after it)"
            )
        }
        return TLSIdentity(context: context, leaf: chain[0], chainLength: chain.count, settings: settings)
    }

    /// The certificate's subject in the order it is written in the certificate, `O=Example, CN=push.example.com`.
    public var subject: String {
        leaf.subjectName.map { "\(Self.label($0.type))=\($0.value)" }.joined(separator: ", ")
    }

    /// The end of the certificate's validity (its notAfter).
    public var notAfter: Date {
        Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
    }

    /// The certificate's serial number in hexadecimal, to tell a renewed certificate from the old one in the logs.
    public var serialNumber: String {
        leaf.serialNumber.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    /// Subject, serial, expiry and chain length as log metadata values.
    public var summary: [String: String] {
        [
            "subject": subject,
            "serial": serialNumber,
            "notAfter": notAfter.formatted(.iso8601),
            "chain": "\(chainLength)",
            "minimumVersion": settings.minimumVersion.rawValue,
        ]
    }

    private static func label(_ type: SSLCertificateNameType) -> String {
        switch type {
        case .commonName: return "CN"
        case .organization: return "O"
        case .organizationalUnit: return "OU"
        case .country: return "C"
        case .state: return "ST"
        case .city: return "L"
        case .emailAddress: return "emailAddress"
        case .userId: return "UID"
        default: return "?"
        }
    }

    private static func read(_ path: String, part: TLSIdentityError.Part) throws(TLSIdentityError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TLSIdentityError(file: path, part: part, message: "file not found")
        }
        guard !isDirectory.boolValue else {
            throw TLSIdentityError(file: path, part: part, message: "is a directory, expected a PEM file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TLSIdentityError(file: path, part: part, message: "cannot be read (check its permissions)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxFileBytes + 1) ?? Data()
        } catch {
            throw TLSIdentityError(file: path, part: part, message: "cannot be read: \(error.localizedDescription)")
        }
        guard data.count <= maxFileBytes else {
            throw TLSIdentityError(file: path, part: part, message: "is larger than \(maxFileBytes) bytes, expected a PEM file")
        }
        return [UInt8](data)
    }

    private static func certificates(in bytes: [UInt8], file: String) throws(TLSIdentityError) -> [NIOSSLCertificate] {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw TLSIdentityError(
                file: file,
                part: .certificate,
                message: "is not a PEM certificate chain (expected -----BEGIN CERTIFICATE----- blocks, the server's "
                    + "certificate first)"
            )
        }
        guard !chain.isEmpty else {
            throw TLSIdentityError(file: file, part: .certificate, message: "holds no certificate")
        }
        return chain
    }

    private static func privateKey(in bytes: [UInt8], file: String) throws(TLSIdentityError) -> NIOSSLPrivateKey {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("ENCRYPTED") {
            throw TLSIdentityError(
                file: file,
                part: .privateKey,
                message: "is an encrypted private key; Herald needs it unencrypted (e.g. `openssl pkey -in key.pem -out plain.pem`) "
                    + "and readable only by its user"
            )
        }
        do {
            // Without a passphrase callback BoringSSL would prompt on standard input for an encrypted key.
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem) { (_: NIOSSLPassphraseSetter<[UInt8]>) throws in
                throw TLSIdentityError(file: file, part: .privateKey, message: "is encrypted")
            }
        } catch {
            throw TLSIdentityError(
                file: file,
                part: .privateKey,
                message: "is not a PEM private key (expected a -----BEGIN PRIVATE KEY----- block, or an RSA or EC one)"
            )
        }
    }
}
