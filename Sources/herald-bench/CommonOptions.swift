import ArgumentParser
import NIOCore
import NIOPosix

/// Flags every scenario shares: which server, which site and credentials, how clients identify themselves, and
/// where the results go.
struct CommonOptions: ParsableArguments {
    @Option(
        help:
            "Server base URL (plain http). Repeat it for several instances of one cluster: client i connects to the (i mod n)-th, and the /send connections are spread over them the same way."
    )
    var url: [String] = ["http://127.0.0.1:1337"]

    @Option(
        help:
            "Client protocol: socketio (Engine.IO v4 / Socket.IO v5 over WebSocket), websocket-json (plain WebSocket JSON at /ws/<site>) or sse (Server-Sent Events at /sse/<site>)."
    )
    var client = ClientProtocol.socketio

    @Option(help: "Site name: the Socket.IO namespace /<site>, /ws/<site>, /sse/<site>, and the site= of POST /send.")
    var site = "bench"

    @Option(help: "The site's apiKey for POST /send (sent as the apiKey query parameter and as a Bearer token).")
    var apiKey = "bench-api-key"

    @Option(help: "Token of client i (0-based): one %d or %0Nd placeholder.")
    var tokenFormat = "bench-token-%010d"

    @Option(help: "deviceId of client i (0-based).")
    var deviceFormat = "bench-device-%010d"

    @Option(help: "Name of the event the bench sends and counts.")
    var event = "bench"

    @Option(help: "Event loop threads for the clients (default: one per core).")
    var loops = System.coreCount

    @Option(help: "Seconds a client may take from TCP connect to admission (namespace acceptance, or settings).")
    var joinTimeout = 30

    @Option(help: "PID of the server, to sample its CPU time and RSS from /proc; repeat it for several instances (summed).")
    var serverPid: [Int32] = []

    @Option(
        help:
            "PID of a process the server depends on (Redis): its CPU is sampled and reported on its own; repeat it for the nodes of a Redis Cluster (summed)."
    )
    var redisPid: [Int32] = []

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    /// The parsed `--url`s, in the order given.
    func targets() throws -> [ServerTarget] { try url.map { try ServerTarget(url: $0) } }

    /// The `--url`s as the report names the server.
    var serverDescription: String { url.joined(separator: ",") }

    /// Client identity settings.
    var clientSettings: ClientSettings {
        ClientSettings(
            client: client,
            site: site,
            token: IndexedFormat(tokenFormat),
            device: IndexedFormat(deviceFormat),
            event: event,
            joinTimeout: .seconds(Int64(joinTimeout))
        )
    }

    /// The servers' summed sample when `--server-pid` is given (nil when any of them cannot be read).
    func sample() -> ServerSample? { ServerSample.read(pids: serverPid) }

    /// Redis's (all nodes') summed sample when `--redis-pid` is given (nil when any of them cannot be read).
    func redisSample() -> ServerSample? { redisPid.isEmpty ? nil : ServerSample.read(pids: redisPid) }

    /// Prints `report` with the client protocol among its parameters, writes its JSON when asked, and fails the
    /// command when `failed`.
    func finish(_ report: BenchReport, failed: Bool) throws {
        var report = report
        report.parameters["client"] = client.rawValue
        print(report.table)
        if let json { try report.write(json: json) }
        if failed { throw ExitCode(1) }
    }
}
