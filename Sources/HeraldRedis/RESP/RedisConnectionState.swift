/// Whether a ``RedisClient`` or ``RedisSubscriber`` can talk to Redis, as seen by its owner.
///
/// Retries during an outage do not change the state: an observer sees one `.disconnected` per outage and one
/// `.connected` when it ends, which is what "log once per outage" needs.
public enum RedisConnectionState: Sendable, Hashable {
    /// The first connection is being established.
    case connecting
    /// Commands are being sent.
    case connected
    /// The connection failed or broke; the client retries with backoff and commands fail with
    /// ``RedisError/unavailable`` meanwhile. `reason` describes the first failure of the outage.
    case disconnected(reason: String)
    /// ``RedisClient/close()`` was called; the client will not connect again.
    case closed
}
