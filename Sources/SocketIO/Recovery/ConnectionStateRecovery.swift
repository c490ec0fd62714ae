/// Connection state recovery for one namespace, as Socket.IO 4.6+ offers it (`connectionStateRecovery`).
///
/// With it on, every event broadcast without an ack carries an offset as its last argument, the namespace keeps the
/// rooms of a socket that lost its connection for ``maxDisconnection``, and a client that comes back within that
/// window with the `pid` and last `offset` it was given gets its socket ID and rooms back and every event it missed,
/// in order, before the CONNECT answer.
public struct ConnectionStateRecovery: Sendable, Hashable {
    /// How long a disconnected socket's session can be taken back.
    public var maxDisconnection: Duration
    /// Most events kept per room; a client that missed more than that is not recovered (it gets a fresh session).
    public var maxEventsPerRoom: Int

    /// How much longer than the window events are kept: a socket whose connection died is noticed up to a ping
    /// interval plus a ping timeout later, and may have missed what was sent meanwhile.
    public static let retentionMargin: Duration = .seconds(60)

    /// How long a recorded event is kept: the window plus ``retentionMargin``.
    public var eventRetention: Duration { maxDisconnection + Self.retentionMargin }

    /// Creates the settings; Socket.IO's default window is two minutes.
    public init(maxDisconnection: Duration = .seconds(120), maxEventsPerRoom: Int = 1_000) {
        self.maxDisconnection = maxDisconnection
        self.maxEventsPerRoom = max(1, maxEventsPerRoom)
    }
}
