public import EngineIO
import NIOConcurrencyHelpers

/// The per-instance limit on new Engine.IO sessions (`io.maxConnectionsPerSecond`): a storm of handshakes beyond it
/// is answered 503 with `Retry-After`, so clients back off instead of piling onto the sites' authUrl.
public final class ConnectionRateLimiter: Sendable {
    private let bucket: NIOLockedValueBox<TokenBucket>
    private let now: MonotonicTime

    /// A limiter letting `perSecond` handshakes through per second, with bursts up to `burst`.
    public init(perSecond: Int, burst: Int, now: @escaping MonotonicTime = continuousTime()) {
        self.now = now
        bucket = NIOLockedValueBox(TokenBucket(ratePerSecond: perSecond, capacity: burst, now: now()))
    }

    /// Whether one more session may open now.
    public func admitHandshake() -> HandshakeAdmission {
        let time = now()
        switch bucket.withLockedValue({ $0.take(1, now: time) }) {
        case .granted: return .admit
        case .refused(let seconds): return .refuse(retryAfterSeconds: seconds)
        }
    }
}
