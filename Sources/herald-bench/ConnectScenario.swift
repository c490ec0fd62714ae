import ArgumentParser
import NIOCore
import NIOPosix

/// `connect`: a storm of connections as fast as the server admits them, for connections per second and the
/// reasons of any failure.
struct ConnectScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect", abstract: "Connection storm: connections/s and failures.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Number of clients to connect.")
    var clients = 1000

    @Option(help: "Clients setting up at the same time.")
    var concurrency = 256

    @Option(help: "Start a stub authUrl on 127.0.0.1:<port> answering 200 with --auth-stub-rooms (point the site's authUrl at it).")
    var authStubPort: Int?

    @Option(
        help:
            "Serve the stub authUrl on this inherited listening socket instead of binding --auth-stub-port (the harness binds port 0 first, so no other process can take the port)."
    )
    var authStubFd: Int32?

    @Option(help: "Comma-separated rooms the stub authUrl admits every client into.")
    var authStubRooms = "all"

    func run() async throws {
        FileLimit.raiseToHardLimit()
        let stubGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var stub: (any Channel)?
        let rooms = authStubRooms.split(separator: ",").map(String.init)
        if let authStubFd {
            stub = try await AuthStub.start(listeningOn: authStubFd, rooms: rooms, group: stubGroup)
        } else if let authStubPort {
            stub = try await AuthStub.start(port: authStubPort, rooms: rooms, group: stubGroup)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: common.loops)
        let fleet = try ClientFleet(group: group, targets: try common.targets(), settings: common.clientSettings)
        let before = common.sample()
        let storm = await fleet.connect(count: clients, concurrency: concurrency)
        let after = common.sample()
        await fleet.closeAll()
        try? await stub?.close()
        try await group.shutdownGracefully()
        try await stubGroup.shutdownGracefully()

        var report = BenchReport(scenario: "connect", server: common.serverDescription)
        report.parameters = ["clients": "\(clients)", "concurrency": "\(concurrency)", "site": common.site]
        if let authStubPort { report.parameters["auth_stub"] = "127.0.0.1:\(authStubPort) -> [\(authStubRooms)]" }
        report.set("clients", Double(clients))
        report.set("joined", Double(storm.joined))
        report.set("failed", Double(clients - storm.joined))
        report.set("seconds", storm.seconds)
        report.set("connections_per_s", Double(storm.joined) / max(storm.seconds, 1e-9))
        if let before, let after, storm.joined > 0 {
            report.set("server_cpu_us_per_connection", (after.cpuMicros - before.cpuMicros) / Double(storm.joined))
            report.set("server_kib_per_connection", (after.rssKiB - before.rssKiB) / Double(storm.joined))
        }
        report.failures = storm.failures
        try common.finish(report, failed: storm.joined < clients)
    }
}
