import NIOCore
import SocketIO

/// Reliable delivery to a Socket.IO client: each stored message is an emit with an ack, the backlog one `_batch`
/// emit with an ack, a resync a `_resync` event. After emits with an ack, the socket's recovery offset follows in an
/// offset marker (see ``Socket/emitOffsetMarker(_:)``), since a client takes offsets only from events without one.
struct SocketIODelivery: ReliableDelivery {
    /// The event that carries the offset of a socket on a site with connection state recovery after emits with an ack,
    /// which a Socket.IO client does not take offsets from (see docs/delivery-guarantees.md).
    static let offsetMarkerEvent = "_offset"

    let socket: Socket

    func send(_ message: StoredMessage, timeout: TimeAmount, acknowledged: @escaping @Sendable (Bool) -> Void) {
        socket.emit(message.event, message.arguments, timeout: timeout) { result in
            if case .success = result { acknowledged(true) } else { acknowledged(false) }
        }
        socket.emitOffsetMarker(Self.offsetMarkerEvent)
    }

    func sendUnstored(_ message: StoredMessage) {
        socket.emit(message.event, message.arguments)
    }

    func sendBatch(_ messages: [StoredMessage], timeout: TimeAmount, acknowledged: @escaping @Sendable (Bool) -> Void) {
        socket.emit(HeraldEvent.batch.rawValue, [.array(messages.map(\.batchEntry))], timeout: timeout) { result in
            if case .success = result { acknowledged(true) } else { acknowledged(false) }
        }
        socket.emitOffsetMarker(Self.offsetMarkerEvent)
    }

    func sendResync(event: String?) {
        socket.emit(HeraldEvent.resync.rawValue, event.map { [.string($0)] } ?? [])
    }
}
