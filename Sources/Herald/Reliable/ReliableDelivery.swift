public import NIOCore
public import SocketIO

/// How a device session's messages reach its client and how the client's acknowledgements come back.
///
/// A Socket.IO client gets emits with acks and `_batch` (``SocketIODelivery``); a client of another wire gets them in
/// its own protocol (a wire that is a ``ReliableDeliveryWire`` says how). Every method is called on the socket's event
/// loop, and every `acknowledged` closure runs there exactly once: `true` when the client acknowledged, `false` when
/// it no longer can (timeout, disconnect).
public protocol ReliableDelivery: Sendable {
    /// Sends a message the device's queue holds and waits up to `timeout` for its ack.
    func send(_ message: StoredMessage, timeout: TimeAmount, acknowledged: @escaping @Sendable (Bool) -> Void)
    /// Sends a message no device queue holds (delivered live only): nothing to acknowledge.
    func sendUnstored(_ message: StoredMessage)
    /// Sends what the device missed, in queue order, acknowledged as a whole.
    func sendBatch(_ messages: [StoredMessage], timeout: TimeAmount, acknowledged: @escaping @Sendable (Bool) -> Void)
    /// Tells the client to reload: its queue overflowed (`event` nil), or an acknowledged message asked for it
    /// (`event` is the message's resync event).
    func sendResync(event: String?)
}

/// A ``SocketWire`` that delivers a device's reliable messages in its own protocol.
public protocol ReliableDeliveryWire: SocketWire {
    /// The delivery for `socket`, a socket speaking through this wire.
    func reliableDelivery(for socket: Socket) -> any ReliableDelivery
}

extension Socket {
    /// How this socket's device messages go out: its wire's own way, or Socket.IO's.
    var reliableDelivery: any ReliableDelivery {
        (wire as? any ReliableDeliveryWire)?.reliableDelivery(for: self) ?? SocketIODelivery(socket: self)
    }
}
