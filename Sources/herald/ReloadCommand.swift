import ArgumentParser
import Foundation
import HeraldServer

/// `herald reload --pid PID`: validates the configuration (the `tls:` files included), then asks the running Herald to
/// reload its sites and certificate (SIGHUP).
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Validate the configuration, then send SIGHUP to a running Herald so it re-reads its sites (and its TLS certificate).",
        discussion: "Pass the same --config/--sites (or environment) as the server: an invalid file is reported here "
            + "and no signal is sent. The server applies the sites it reads itself and logs what changed."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Process ID of the running `herald serve`.")
    var pid: Int32

    func validate() throws {
        guard pid > 0 else {
            throw ValidationError("--pid must be a positive process ID")
        }
    }

    func run() throws {
        let loaded = try options.loadReportingToTerminal()
        guard kill(pid, SIGHUP) == 0 else {
            printToStandardError("herald: cannot signal process \(pid): \(String(cString: strerror(errno)))")
            throw ExitCode.failure
        }
        let sites = loaded.configuration.sites.keys.sorted()
        let certificate = loaded.configuration.settings.tls == nil ? "" : " and the TLS certificate"
        print(
            "sent SIGHUP to \(pid): reloading \(sites.count) site\(sites.count == 1 ? "" : "s") (\(sites.joined(separator: ", ")))"
                + certificate
        )
    }
}
