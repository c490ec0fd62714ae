import ArgumentParser
import Foundation
import HeraldServer
import Logging

/// `herald serve`: runs the service until SIGINT or SIGTERM; SIGHUP reloads the sites and, with `tls:`, the certificate.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the push service.")

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "TCP port; overrides PORT and config.yml.")
    var port: Int?

    @Option(help: "Address to listen on; overrides config.yml.")
    var host: String?

    @Option(
        help: """
            Once listening, write the port to this file (then a line per event-server port); with --port 0 the system \
            picks a free port.
            """
    )
    var portFile: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: $LOG_LEVEL or info).")
    var logLevel: String?

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info") ?? .info
        let logger = HeraldLogging.bootstrap(level: level)
        if let loops = ProcessorAffinity.sizeSharedEventLoops() {
            logger.info("event loops sized to the \(loops) CPU(s) this process may run on")
        }
        let loaded: LoadedConfiguration
        do {
            loaded = try options.load()
        } catch {
            logger.critical("invalid configuration: \(error)")
            throw ExitCode(78)
        }
        for warning in loaded.warnings {
            logger.warning("configuration: \(warning)")
        }
        var configuration = loaded.configuration
        if let port { configuration.settings.port = port }
        if let host { configuration.settings.host = host }
        logger.info(
            "configuration loaded",
            metadata: ["environment": "\(loaded.environmentName)", "files": .array(loaded.filesRead.map { "\($0)" })]
        )
        let sitesReload = SitesReload(loader: options.loader, source: loaded.sitesSource)
        let portFile = self.portFile
        try await HeraldRunner.run(
            configuration,
            sitesReload: sitesReload,
            logger: logger,
            onShutdown: { JSONLinesOutput.standardOutput.keepLines(forAtMost: HeraldLogging.shutdownLinesSeconds) }
        ) { ports in
            guard let portFile else { return }
            do {
                try ports.portFileText.write(toFile: portFile, atomically: true, encoding: .utf8)
            } catch {
                logger.error("could not write the port file", metadata: ["path": "\(portFile)", "error": "\(error)"])
            }
        }
    }
}
