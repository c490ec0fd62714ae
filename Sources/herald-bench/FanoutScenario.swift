import ArgumentParser
import NIOCore
import NIOPosix

/// `fanout`: many clients in one room, a stream of `/send` calls, exact delivery accounting and latency.
struct FanoutScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Fan-out: deliveries/s, latency percentiles, lost and duplicated messages."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Number of clients in the room.")
    var clients = 1000

    @Option(help: "Room every message is sent to (the tokens must admit the clients into it).")
    var room = "all"

    @Option(help: "Number of /send calls.")
    var messages = 200

    @Option(help: "/send calls per second; 0 sends as fast as the server answers.")
    var rate = 0.0

    @Option(help: "POST /send connections, each with one request in flight.")
    var concurrency = 4

    @Option(help: "Size of the message's first argument in bytes (padded).")
    var payloadBytes = 100

    @Option(help: "Clients setting up at the same time.")
    var connectConcurrency = 256

    @Option(help: "Seconds without a new delivery after which the missing ones count as lost.")
    var drainSeconds = 10.0

    @Flag(help: "WebSocket clients offer permessage-deflate (client_no_context_takeover) and inflate compressed messages.")
    var permessageDeflate = false

    func run() async throws {
        FileLimit.raiseToHardLimit()
        let targets = try common.targets()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: common.loops)
        var settings = common.clientSettings
        settings.offersPermessageDeflate = permessageDeflate
        let fleet = try ClientFleet(group: group, targets: targets, settings: settings)
        let beforeConnect = common.sample()
        let storm = await fleet.connect(count: clients, concurrency: connectConcurrency)
        guard storm.joined > 0 else {
            await fleet.closeAll()
            try await group.shutdownGracefully()
            throw BenchError.setup("no client joined: \(storm.failures)")
        }
        let senders = try await SendClient.connect(
            count: concurrency,
            to: targets,
            on: group,
            site: common.site,
            apiKey: common.apiKey
        )
        let window = CostWindow(common)
        let wireBytesBeforeSend = fleet.tally.wireBytes
        let poster = MessagePoster(rooms: [room], event: common.event, payloadBytes: payloadBytes)
        let posted = await poster.run(count: messages, rate: rate, clients: senders)
        let expected = posted.accepted.count * storm.joined
        try await fleet.waitForDeliveries(expected: expected, quietSeconds: drainSeconds)
        let tally = fleet.tally
        var report = BenchReport(scenario: "fanout", server: common.serverDescription)
        window.charge(&report, per: "delivery", count: Double(tally.unique), common: common)
        for sender in senders { await sender.close() }
        await fleet.closeAll()
        try await group.shutdownGracefully()

        report.parameters = [
            "clients": "\(clients)", "room": room, "messages": "\(messages)", "rate": "\(rate)",
            "concurrency": "\(concurrency)", "payload_bytes": "\(payloadBytes)", "site": common.site,
            "permessage_deflate": "\(permessageDeflate)",
        ]
        let lost = report.addDeliveries(tally: tally, posted: posted, joined: storm.joined)
        report.set("clients_dropped", Double(tally.dropped))
        if tally.unique > 0 {
            report.set("client_wire_bytes_per_delivery", Double(tally.wireBytes - wireBytesBeforeSend) / Double(tally.unique))
        }
        if let beforeConnect, let beforeSend = window.server {
            report.set("server_kib_per_connection", (beforeSend.rssKiB - beforeConnect.rssKiB) / Double(storm.joined))
        }
        report.failures = storm.failures.merging(posted.failures) { $0 + $1 }
        try common.finish(report, failed: lost > 0 || tally.duplicates > 0 || storm.joined < clients)
    }
}
