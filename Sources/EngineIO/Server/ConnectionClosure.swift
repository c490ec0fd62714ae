import NIOConcurrencyHelpers

/// Why the server closed a client's connection on its own initiative (not a normal end of a session).
public enum ConnectionClosure: String, Sendable, CaseIterable {
    /// No complete request head within `requestHeaderTimeout` of the connection opening (slowloris, idle TCP).
    case headerTimeout = "header_timeout"
    /// A keep-alive connection without a request for `idleConnectionTimeout`.
    case idleTimeout = "idle_timeout"
    /// A request body that stalled for `requestHeaderTimeout`, or kept arriving after its answer was sent.
    case bodyTimeout = "body_timeout"
    /// A request the HTTP parser refused (431 for oversized headers, 400 otherwise).
    case badRequest = "bad_request"
    /// A WebSocket upgrade that was refused (the refusal is answered, then the connection closes).
    case upgradeRefused = "upgrade_refused"
    /// A WebSocket frame breaking RFC 6455: unmasked, RSV bits, reserved opcode, bad fragmentation (close 1002).
    case webSocketProtocolError = "websocket_protocol_error"
    /// A text frame that is not UTF-8 (close 1007).
    case webSocketInvalidText = "websocket_invalid_utf8"
    /// A WebSocket message over `maxPayload` (close 1009).
    case webSocketMessageTooLarge = "websocket_message_too_large"
    /// A WebSocket whose client does not read: more than `maxOutboundBufferBytes` queued (data, pongs alike).
    case slowConsumer = "slow_consumer"
    /// A WebSocket that did not introduce itself in time (an event-server listener without a successful init
    /// message within `initTimeout`; close 1008).
    case webSocketInitTimeout = "websocket_init_timeout"
}

/// Counts of ``ConnectionClosure``s since the server started; read when metrics are scraped.
///
/// Only closures count, never deliveries, so the lock is taken once per closed connection at most.
public final class ConnectionClosureCounts: Sendable {
    private let counts = NIOLockedValueBox([Int](repeating: 0, count: ConnectionClosure.allCases.count))

    init() {}

    /// Counts one closure (other WebSocket endpoints of the process count theirs here too).
    package func record(_ closure: ConnectionClosure) {
        let index = ConnectionClosure.allCases.firstIndex(of: closure)!
        counts.withLockedValue { $0[index] += 1 }
    }

    /// Closures so far, by reason (every reason present, zero when it never happened).
    public var snapshot: [ConnectionClosure: Int] {
        let values = counts.withLockedValue { $0 }
        return Dictionary(uniqueKeysWithValues: zip(ConnectionClosure.allCases, values))
    }
}
