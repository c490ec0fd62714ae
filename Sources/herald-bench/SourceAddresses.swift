import NIOCore

/// Spreads client connections over the loopback addresses 127.0.0.1–127.0.0.8, because one source address has
/// only about 28,000 ephemeral ports and a connect storm would otherwise run out of them.
enum SourceAddresses {
    /// How many distinct loopback source addresses are used.
    static let count = 8

    /// The source address (port 0: any free port) for the client with this index.
    static func forClient(_ index: Int) throws -> SocketAddress {
        try SocketAddress(ipAddress: "127.0.0.\(index % count + 1)", port: 0)
    }
}
