import NIOCore

/// Answers one event the client sent with an ack request. Only the first `send` is delivered.
public struct AckResponder: Sendable {
    let socket: Socket
    let id: Int

    /// Sends the ack with `arguments` back to the client.
    public func send(_ arguments: [JSONValue] = []) {
        socket.sendAck(id: id, arguments: arguments)
    }
}

/// Why an ack the server asked for did not arrive.
public enum AckError: Error, Sendable, Hashable {
    /// The client did not answer within the timeout.
    case timeout
    /// The socket disconnected first.
    case disconnected
}

/// Handler for an ack the server requested.
public typealias AckHandler = @Sendable (Result<[JSONValue], AckError>) -> Void
