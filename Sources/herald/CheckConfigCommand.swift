import ArgumentParser
import Foundation
import HeraldServer

/// `herald check-config`: validates the configuration without starting, for CI and deploy scripts.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate config.yml, sites.yml and the environment; exit 0 when Herald would start."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() throws {
        let loaded = try options.loadReportingToTerminal()
        let settings = loaded.configuration.settings
        let sites = loaded.configuration.sites.keys.sorted()
        print("configuration OK (environment \(loaded.environmentName); read \(loaded.filesRead.joined(separator: ", ")))")
        print("port \(settings.port), store \(settings.redis == nil ? "in memory" : "redis"), device_ttl \(settings.deviceTTL) s")
        if let tls = settings.tls, let identity = try? TLSIdentity.load(tls) {
            print(
                "tls on (TLS \(tls.minimumVersion.rawValue)+): \(identity.subject), serial \(identity.serialNumber), "
                    + "expires \(identity.notAfter.formatted(.iso8601)), \(identity.chainLength) certificate(s) in \(tls.certificatePath)"
            )
        }
        let policy = settings.connectionPolicy
        if !policy.trustedProxies.isEmpty || !policy.addresses.isEmpty || policy.maxAuthAttemptsPerMinute != nil {
            print(
                "connection policy: \(policy.trustedProxies.count) trusted proxy range(s), allowFrom \(policy.addresses.allowFrom.count), "
                    + "denyFrom \(policy.addresses.denyFrom.count), maxAuthAttemptsPerMinute "
                    + (policy.maxAuthAttemptsPerMinute.map(String.init) ?? "per site only")
            )
        }
        print("\(sites.count) site\(sites.count == 1 ? "" : "s"): \(sites.joined(separator: ", "))")
    }
}
