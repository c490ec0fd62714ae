import Foundation
import Herald

/// Reads the `tls:` section of an environment and checks that its files can be served, so `herald check-config`
/// and startup refuse a missing file, a file that is not PEM or a key that is not the certificate's, naming the file.
enum TLSSettingsParser {
    static let knownKeys: Set<String> = ["certificate", "privateKey", "minimumVersion"]

    /// The settings of `tls`; relative paths are resolved against the directory of the file `tls` was read from
    /// (like `include` in nginx or Caddy, a configuration that moves with its certificates keeps working whatever
    /// the working directory).
    static func parse(_ tls: YAMLValue, warnings: inout [String]) throws(ConfigurationError) -> TLSSettings {
        let keys = try tls.mapping()
        keys.warnAboutUnknownKeys(known: knownKeys, into: &warnings)
        guard let certificate = keys["certificate"] else {
            throw tls.missingChild("certificate").error("is required: the PEM file with the server's certificate chain")
        }
        guard let privateKey = keys["privateKey"] else {
            throw tls.missingChild("privateKey").error("is required: the PEM file with the certificate's private key")
        }
        var settings = TLSSettings(
            certificatePath: resolve(try certificate.nonEmptyString(), against: tls.file),
            privateKeyPath: resolve(try privateKey.nonEmptyString(), against: tls.file)
        )
        if let version = keys["minimumVersion"] {
            settings.minimumVersion = try minimumVersion(version)
        }
        let identity: TLSIdentity
        do {
            identity = try TLSIdentity.load(settings)
        } catch {
            let at: YAMLValue
            switch error.part {
            case .certificate: at = certificate
            case .privateKey: at = privateKey
            case .pair: at = privateKey
            }
            throw at.error(error.description)
        }
        if identity.notAfter < Date() {
            warnings.append(
                certificate.warning(
                    "\(settings.certificatePath): the certificate expired on \(identity.notAfter.formatted(.iso8601)); "
                        + "clients will refuse it"
                )
            )
        }
        return settings
    }

    /// `"1.2"` or `"1.3"`, quoted or not (unquoted, YAML reads them as numbers).
    private static func minimumVersion(_ value: YAMLValue) throws(ConfigurationError) -> TLSSettings.MinimumVersion {
        guard value.isString || value.node.scalar?.tag == .float, let text = value.scalarText,
            let version = TLSSettings.MinimumVersion(rawValue: text)
        else {
            throw value.error("must be \"1.2\" or \"1.3\" (older versions are not offered), found \(value.kindDescription)")
        }
        return version
    }

    /// `path` as the process opens it: absolute paths as written, relative ones below `file`'s directory.
    static func resolve(_ path: String, against file: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }
}
