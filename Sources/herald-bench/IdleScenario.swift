import ArgumentParser
import NIOPosix

/// `idle`: opens clients and holds them, for the server memory each idle connection costs.
struct IdleScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "idle", abstract: "Idle connections: server RSS per connection.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Number of clients to hold open.")
    var clients = 1000

    @Option(help: "Clients setting up at the same time.")
    var concurrency = 256

    @Option(help: "Seconds to hold the connections before sampling (heartbeats keep running).")
    var holdSeconds = 10

    func run() async throws {
        FileLimit.raiseToHardLimit()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: common.loops)
        let fleet = try ClientFleet(group: group, targets: try common.targets(), settings: common.clientSettings)
        let before = common.sample()
        let storm = await fleet.connect(count: clients, concurrency: concurrency)
        let window = CostWindow(common)
        let holdStarted = ContinuousClock.now
        try await Task.sleep(for: .seconds(holdSeconds))
        let held = (ContinuousClock.now - holdStarted).seconds
        var report = BenchReport(scenario: "idle", server: common.serverDescription)
        // The hold's CPU per connection per second: heartbeats and timers only.
        window.charge(&report, per: "connection_per_s", count: Double(storm.joined) * held, common: common)
        let after = common.sample()
        let dropped = fleet.tally.dropped
        await fleet.closeAll()
        try await group.shutdownGracefully()

        report.parameters = ["clients": "\(clients)", "hold_seconds": "\(holdSeconds)", "site": common.site]
        report.set("clients", Double(clients))
        report.set("joined", Double(storm.joined))
        report.set("dropped_while_idle", Double(dropped))
        if let before, let after {
            report.set("server_rss_before_kib", before.rssKiB)
            report.set("server_rss_after_kib", after.rssKiB)
            if storm.joined > 0 { report.set("server_kib_per_connection", (after.rssKiB - before.rssKiB) / Double(storm.joined)) }
            report.set("server_cpu_us_total", after.cpuMicros - before.cpuMicros)
        }
        report.failures = storm.failures
        try common.finish(report, failed: storm.joined < clients || dropped > 0)
    }
}
