import EngineIO
import Herald
import NIOCore
import NIOWebSocket
import SocketIO

/// The ``SocketWire`` of a plain WebSocket JSON client: the socket's packets and broadcasts become the JSON messages
/// of docs/protocols.md, and its device messages carry their flake IDs for the client to acknowledge.
///
/// Every call arrives on the connection's event loop (a socket calls its wire only there) and goes to the
/// connection's handler.
final class PlainWebSocketWire: ReliableDeliveryWire {
    /// The key of the rendering broadcasts share among plain WebSocket clients: the whole WebSocket frame.
    static let broadcastFormat = "plain-websocket-json"

    let channel: any Channel
    private let handler: NIOLoopBound<PlainWebSocketHandler>

    init(channel: any Channel, handler: NIOLoopBound<PlainWebSocketHandler>) {
        self.channel = channel
        self.handler = handler
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    var isOpen: Bool { handler.value.isOpen }

    var transportName: String { ClientTransport.websocketJSON.rawValue }

    func send(_ packet: SocketPacket, of socket: Socket) {
        handler.value.send(packet)
    }

    func deliver(_ broadcast: PreparedBroadcast, to socket: Socket) {
        let frame = broadcast.rendering(Self.broadcastFormat) { event in
            let text = PlainServerMessage.event(name: HeraldEvent.clientName(of: event.name), arguments: event.arguments, id: nil).text
            return WebSocketFrameBytes.encode(ByteBuffer(string: text), isBinary: false, allocator: channel.allocator)
        }
        if let frame {
            handler.value.writeCoalesced(encodedFrame: frame)
        }
    }

    func socketLeft(_ socket: Socket) {
        handler.value.fail(.disconnected, message: "Disconnected by the server")
    }

    func close() {
        handler.value.close(code: .goingAway)
    }

    func reliableDelivery(for socket: Socket) -> any ReliableDelivery {
        PlainReliableDelivery(handler: handler)
    }
}

/// Device messages for a plain WebSocket client: each with its flake ID, acknowledged by the client with
/// `{"type":"ack"}`; the backlog as one `batch` message.
struct PlainReliableDelivery: ReliableDelivery {
    let handler: NIOLoopBound<PlainWebSocketHandler>

    func send(_ message: StoredMessage, timeout: TimeAmount, acknowledged: @escaping @Sendable (Bool) -> Void) {
        handler.value.send(
            .event(name: message.event, arguments: message.arguments, id: message.id),
            awaiting: [message.id],
            timeout: timeout,
            acknowledged: acknowledged
        )
    }

    func sendUnstored(_ message: StoredMessage) {
        handler.value.send(.event(name: message.event, arguments: message.arguments, id: nil))
    }

    func sendBatch(_ messages: [StoredMessage], timeout: TimeAmount, acknowledged: @escaping @Sendable (Bool) -> Void) {
        handler.value.send(.batch(messages), awaiting: messages.map(\.id), timeout: timeout, acknowledged: acknowledged)
    }

    func sendResync(event: String?) {
        handler.value.send(.resync(event: event))
    }
}
