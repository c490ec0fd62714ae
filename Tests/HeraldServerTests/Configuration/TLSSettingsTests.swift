import Foundation
import Herald
import HeraldServer
import Testing

/// `tls:` in an environment's section: paths, the optional minimum version, and the files checked at load time so
/// `herald check-config` refuses what could not be served, naming the file and the line that points at it.
@Suite struct TLSSettingsTests {
    /// A directory holding `server.pem` (certificate then CA: a chain of two), `server.key`, `other.key`,
    /// `encrypted.key` and `garbage.pem`.
    private static func certificates() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        _ = try directory.write(
            "server.pem",
            TLSTestCertificates.serverCertificate + "\n" + TLSTestCertificates.caCertificate + "\n"
        )
        _ = try directory.write("leaf-only.pem", TLSTestCertificates.serverCertificate + "\n")
        _ = try directory.write("server.key", TLSTestCertificates.serverKey + "\n")
        _ = try directory.write("other.key", TLSTestCertificates.otherKey + "\n")
        _ = try directory.write("encrypted.key", TLSTestCertificates.encryptedServerKey + "\n")
        _ = try directory.write("garbage.pem", "not a certificate\n")
        return directory
    }

    private static func config(certificate: String, key: String, extra: String = "") -> String {
        "production:\n  tls:\n    certificate: \(certificate)\n    privateKey: \(key)\n\(extra)"
    }

    /// Loads `config` as if read from `<directory>/config.yml`.
    private static func load(_ config: String, in directory: TemporaryDirectory) throws(ConfigurationError) -> LoadedConfiguration {
        try ConfigurationLoader(environment: [:]).load(
            configYAML: config,
            configFile: directory.path("config.yml"),
            sitesYAML: validSites,
            sitesFile: "sites.yml"
        )
    }

    private static func error(_ config: String, in directory: TemporaryDirectory) -> ConfigurationError? {
        do {
            let loaded = try load(config, in: directory)
            Issue.record("expected an error, loaded \(loaded.configuration.settings)")
            return nil
        } catch {
            return error
        }
    }

    @Test func withoutTLSSectionHeraldServesPlainHTTP() throws {
        let loaded = try loadStrings(config: "production:\n  port: 8080\n")
        #expect(loaded.configuration.settings.tls == nil)
    }

    @Test func absolutePathsAreKeptAndTheDefaultMinimumIsTLS12() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let loaded = try Self.load(
            Self.config(certificate: directory.path("server.pem"), key: directory.path("server.key")),
            in: directory
        )
        #expect(
            loaded.configuration.settings.tls
                == TLSSettings(certificatePath: directory.path("server.pem"), privateKeyPath: directory.path("server.key"))
        )
        #expect(loaded.warnings.isEmpty)
    }

    @Test func relativePathsAreRelativeToTheConfigFilesDirectory() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let loaded = try Self.load(Self.config(certificate: "server.pem", key: "./server.key"), in: directory)
        #expect(loaded.configuration.settings.tls?.certificatePath == directory.path("server.pem"))
        #expect(loaded.configuration.settings.tls?.privateKeyPath == directory.url.appendingPathComponent("./server.key").path)
    }

    @Test func aChainFileIsServedWithItsLeafFirst() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let identity = try TLSIdentity.load(
            TLSSettings(certificatePath: directory.path("server.pem"), privateKeyPath: directory.path("server.key"))
        )
        #expect(identity.chainLength == 2)
        #expect(identity.subject == "O=Herald Tests, CN=localhost")
        #expect(identity.notAfter > Date(timeIntervalSince1970: 4_000_000_000))
        #expect(identity.serialNumber.count >= 2)
        #expect(!identity.summary.values.contains { $0.contains("PRIVATE") })
    }

    @Test(arguments: [("\"1.3\"", TLSSettings.MinimumVersion.tls13), ("1.2", .tls12), ("'1.2'", .tls12)])
    func minimumVersionIsRead(written: String, version: TLSSettings.MinimumVersion) throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let loaded = try Self.load(
            Self.config(certificate: "server.pem", key: "server.key", extra: "    minimumVersion: \(written)\n"),
            in: directory
        )
        #expect(loaded.configuration.settings.tls?.minimumVersion == version)
    }

    @Test func olderMinimumVersionsAreRefused() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let error = Self.error(
            Self.config(certificate: "server.pem", key: "server.key", extra: "    minimumVersion: 1.1\n"),
            in: directory
        )
        #expect(
            error?.description
                == "\(directory.path("config.yml")):5:21: production.tls.minimumVersion: must be \"1.2\" or \"1.3\" "
                + "(older versions are not offered), found the number 1.1"
        )
    }

    @Test func aMissingCertificateFileIsNamedAtItsLine() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let error = Self.error(Self.config(certificate: "missing.pem", key: "server.key"), in: directory)
        #expect(
            error?.description
                == "\(directory.path("config.yml")):3:18: production.tls.certificate: \(directory.path("missing.pem")): file not found"
        )
    }

    @Test func aFileThatIsNotPEMIsRefused() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let certificateError = Self.error(Self.config(certificate: "garbage.pem", key: "server.key"), in: directory)
        #expect(certificateError?.keyPath == "production.tls.certificate")
        #expect(certificateError?.message.hasPrefix("\(directory.path("garbage.pem")): is not a PEM certificate chain") == true)
        let keyError = Self.error(Self.config(certificate: "server.pem", key: "garbage.pem"), in: directory)
        #expect(keyError?.keyPath == "production.tls.privateKey")
        #expect(keyError?.line == 4)
        #expect(keyError?.message.hasPrefix("\(directory.path("garbage.pem")): is not a PEM private key") == true)
    }

    @Test func aCertificateGivenAsTheKeyIsRefused() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let error = Self.error(Self.config(certificate: "server.pem", key: "server.pem"), in: directory)
        #expect(error?.keyPath == "production.tls.privateKey")
        #expect(error?.message.contains("is not a PEM private key") == true)
    }

    @Test func aKeyOfAnotherCertificateIsRefused() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let error = Self.error(Self.config(certificate: "leaf-only.pem", key: "other.key"), in: directory)
        #expect(error?.keyPath == "production.tls.privateKey")
        #expect(
            error?.message.hasPrefix(
                "\(directory.path("other.key")): the private key does not belong to the certificate in \(directory.path("leaf-only.pem"))"
            ) == true
        )
    }

    @Test func anEncryptedKeyIsRefusedWithoutPrompting() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let error = Self.error(Self.config(certificate: "server.pem", key: "encrypted.key"), in: directory)
        #expect(error?.message.contains("is an encrypted private key") == true)
    }

    @Test func bothFilesAreRequired() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let error = Self.error("production:\n  tls:\n    certificate: server.pem\n", in: directory)
        #expect(error?.keyPath == "production.tls.privateKey")
        #expect(error?.line == 3)
        #expect(error?.message.hasPrefix("is required") == true)
    }

    @Test func unknownTLSKeysAreWarnings() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let loaded = try Self.load(
            Self.config(certificate: "server.pem", key: "server.key", extra: "    ciphers: ALL\n"),
            in: directory
        )
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings.first?.contains("production.tls.ciphers: unknown key, ignored") == true)
    }

    @Test func theStoreKeepsItsIdentityWhenAReloadFails() throws {
        let directory = try Self.certificates()
        defer { directory.cleanUp() }
        let keyPath = directory.path("server.key")
        let store = try TLSContextStore(
            settings: TLSSettings(certificatePath: directory.path("server.pem"), privateKeyPath: keyPath)
        )
        _ = try directory.write("server.key", TLSTestCertificates.otherKey + "\n")
        #expect(throws: TLSIdentityError.self) { try store.reload() }
        #expect(store.current.subject == "O=Herald Tests, CN=localhost")
        _ = try directory.write("server.key", TLSTestCertificates.serverKey + "\n")
        #expect(try store.reload().chainLength == 2)
    }
}
