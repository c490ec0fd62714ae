public import SocketIO

/// A message kept in device queues until acknowledged: its ID, event and arguments.
public struct StoredMessage: Sendable, Hashable {
    /// The message's ID, the same in every device queue it is in.
    public var id: FlakeID
    /// Event name.
    public var event: String
    /// Event arguments.
    public var arguments: [JSONValue]

    /// Creates a message.
    public init(id: FlakeID, event: String, arguments: [JSONValue]) {
        self.id = id
        self.event = event
        self.arguments = arguments
    }

    /// `[event, ...arguments]`, an element of a `_batch`.
    public var batchEntry: JSONValue {
        .array([.string(event)] + arguments)
    }
}
