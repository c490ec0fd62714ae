import ArgumentParser

/// Herald's load generator: speaks Engine.IO v4 / Socket.IO v5 over WebSocket itself so it measures any server
/// (Herald, the C floor server, a peer in another language) the same way.
@main
struct HeraldBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald-bench",
        abstract: "Load generator for Socket.IO push services: fan-out, connect storms, idle memory.",
        subcommands: [FanoutScenario.self, ConnectScenario.self, IdleScenario.self, ReliableScenario.self]
    )
}
