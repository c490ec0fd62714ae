public import NIOCore

/// Settings of the Socket.IO layer (Engine.IO's are in `EngineConfiguration`).
public struct SocketIOConfiguration: Sendable {
    /// How long a v5 client may stay without joining any namespace before it is closed.
    public var connectTimeout: TimeAmount
    /// Most binary attachments one packet may announce.
    public var maxAttachments: Int
    /// Makes the adapter of each namespace; the in-process ``LocalAdapter`` by default.
    public var makeAdapter: @Sendable (_ namespace: String) -> any Adapter

    /// Creates a configuration with Socket.IO's defaults.
    public init(
        connectTimeout: TimeAmount = .seconds(45),
        maxAttachments: Int = 10,
        makeAdapter: @escaping @Sendable (_ namespace: String) -> any Adapter = { _ in LocalAdapter() }
    ) {
        self.connectTimeout = connectTimeout
        self.maxAttachments = maxAttachments
        self.makeAdapter = makeAdapter
    }
}
