/// Why a client was not admitted (a Socket.IO namespace's acceptance, a plain or event-stream client's `settings`);
/// the connect scenario reports failures grouped by `reason`.
enum JoinFailure: Error, Sendable {
    /// TCP connect failed (refused, no ports, fd limit...), with the system's description.
    case connect(String)
    /// The upgrade was answered with something other than 101, with the status line.
    case upgrade(String)
    /// The event stream request was answered with something other than a 200 `text/event-stream`, with the status
    /// line.
    case response(String)
    /// The namespace answered CONNECT with an error packet (a plain client: an `error` message), with the server's
    /// message.
    case refused(String)
    /// The connection closed before the server admitted the client.
    case closed
    /// No admission within the join timeout.
    case timeout

    /// A short grouping key for reports: the kind plus the server's text where it distinguishes causes.
    var reason: String {
        switch self {
        case .connect(let text): "connect: \(text)"
        case .upgrade(let status): "upgrade: \(status)"
        case .response(let status): "response: \(status)"
        case .refused(let message): "refused: \(message)"
        case .closed: "closed before joining"
        case .timeout: "join timeout"
        }
    }
}
