/// A protocol carried in WebSocket text frames: where its WebSocket lives and what each of its messages means to a
/// bench client. The WebSocket layer (``WebSocketClientHandler``) is the same for every dialect.
protocol WebSocketDialect {
    /// The path and query of the upgrade request for `identity`.
    static func upgradeTarget(for identity: ClientIdentity) -> String

    /// What the client does about one complete text message.
    static func reaction(to message: UnsafeRawBufferPointer, identity: ClientIdentity) -> ClientReaction
}
