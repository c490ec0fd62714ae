import ArgumentParser

/// `herald`: the push service and the tools ops use around it.
@main
struct HeraldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Multi-tenant Socket.IO push service, a drop-in for socket.io-webservice.",
        subcommands: [ServeCommand.self, CheckConfigCommand.self, ReloadCommand.self, SendCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
