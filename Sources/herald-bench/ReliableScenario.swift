import ArgumentParser
import NIOCore
import NIOPosix

/// `reliable`: every client is its own user device on a site with `userRoomPrefix`, so each message is queued
/// and acked per device; a share of the clients drop and reconnect while messages flow, and every message must
/// still arrive exactly once, live or in the `_batch` on reconnect.
struct ReliableScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reliable",
        abstract: "Reliable path: acks, drops and reconnects, every message delivered once live or in _batch."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Number of clients (each token must admit its client into its own user room and --room).")
    var clients = 200

    @Option(help: "Room every message is sent to.")
    var room = "all"

    @Option(help: "Number of /send calls.")
    var messages = 500

    @Option(help: "/send calls per second (must be > 0: drops are spread over the sending time).")
    var rate = 100.0

    @Option(help: "POST /send connections.")
    var concurrency = 2

    @Option(help: "Size of the message's first argument in bytes (padded).")
    var payloadBytes = 100

    @Option(help: "Share of the clients (0...1) that drop and reconnect during the run.")
    var dropShare = 0.2

    @Option(help: "Milliseconds a dropped client stays away before reconnecting.")
    var offlineMs = 500

    @Option(help: "Seconds without a new delivery after which the missing ones count as lost.")
    var drainSeconds = 10.0

    func validate() throws {
        guard rate > 0 else { throw ValidationError("--rate must be > 0 for reliable") }
        guard (0...1).contains(dropShare) else { throw ValidationError("--drop-share must be within 0...1") }
        guard common.client != .sse else {
            throw ValidationError(
                "reliable needs a client that acknowledges: an event stream only does by reconnecting with Last-Event-ID, which the bench does not"
            )
        }
    }

    func run() async throws {
        FileLimit.raiseToHardLimit()
        let target = try common.target()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: common.loops)
        let fleet = try ClientFleet(group: group, target: target, settings: common.clientSettings)
        let storm = await fleet.connect(count: clients, concurrency: 256)
        guard storm.joined > 0 else {
            await fleet.closeAll()
            try await group.shutdownGracefully()
            throw BenchError.setup("no client joined: \(storm.failures)")
        }
        var senders: [SendClient] = []
        for _ in 0..<max(1, concurrency) {
            senders.append(try await SendClient.connect(to: target, on: group.next(), site: common.site, apiKey: common.apiKey))
        }
        let poster = MessagePoster(rooms: [room], event: common.event, payloadBytes: payloadBytes)
        let beforeSend = common.sample()
        let droppers = Int((Double(clients) * dropShare).rounded())
        let sendSeconds = Double(messages) / rate
        let offline = Duration.milliseconds(offlineMs)
        let (posted, rejoinFailures) = await withTaskGroup(of: Void.self) { tasks in
            let failures = ReconnectFailures()
            for slot in 0..<droppers {
                let index = slot * clients / max(droppers, 1)
                let dropAt = ContinuousClock.now + .seconds(sendSeconds * Double(slot + 1) / Double(droppers + 1))
                tasks.addTask {
                    try? await Task.sleep(until: dropAt)
                    guard await fleet.drop(index) else { return }
                    try? await Task.sleep(for: offline)
                    if let failure = await fleet.join(index, reconnected: true) { failures.add(failure.reason) }
                }
            }
            let posted = await poster.run(count: messages, rate: rate, clients: senders)
            await tasks.waitForAll()
            return (posted, failures.all)
        }
        try await fleet.waitForDeliveries(expected: posted.accepted.count * storm.joined, quietSeconds: drainSeconds)
        let afterSend = common.sample()
        let tally = fleet.tally
        for sender in senders { await sender.close() }
        await fleet.closeAll()
        try await group.shutdownGracefully()

        var report = BenchReport(scenario: "reliable", server: common.url)
        report.parameters = [
            "clients": "\(clients)", "room": room, "messages": "\(messages)", "rate": "\(rate)",
            "drop_share": "\(dropShare)", "offline_ms": "\(offlineMs)", "site": common.site,
        ]
        let lost = report.addDeliveries(tally: tally, posted: posted, joined: storm.joined)
        report.set("clients_dropped_on_purpose", Double(droppers))
        report.set("clients_dropped_by_server", Double(max(0, tally.dropped - droppers)))
        if let beforeSend, let afterSend {
            report.addServerCPU(from: beforeSend, to: afterSend, deliveries: tally.unique)
        }
        report.failures = storm.failures.merging(posted.failures) { $0 + $1 }.merging(rejoinFailures) { $0 + $1 }
        try common.finish(report, failed: lost > 0 || tally.duplicates > 0 || storm.joined < clients || !rejoinFailures.isEmpty)
    }
}
