import ArgumentParser

/// Herald's load generator: speaks Engine.IO v4 / Socket.IO v5 over WebSocket itself so it measures any server
/// (Herald, the C floor server, a peer in another language) the same way, and Herald's plain WebSocket JSON and
/// Server-Sent Events clients (`--client`) with the same accounting.
@main
struct HeraldBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald-bench",
        abstract: "Load generator for push services (Socket.IO, plain WebSocket JSON, SSE): fan-out, connect storms, idle memory.",
        subcommands: [FanoutScenario.self, ConnectScenario.self, IdleScenario.self, ReliableScenario.self]
    )
}
