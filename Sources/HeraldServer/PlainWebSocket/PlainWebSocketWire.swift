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
        let allocator = channel.allocator
        guard let frame = broadcast.rendering(Self.broadcastFormat, { Self.frame(of: $0, allocator: allocator) }) else { return }
        handler.value.writeCoalesced(
            encodedFrame: deflatedFrame(of: broadcast, plainFrame: frame, compression: socket.messageCompression) ?? frame
        )
    }

    /// The broadcast's event as a complete text frame carrying its plain JSON message.
    private static func frame(of event: BroadcastEvent, allocator: ByteBufferAllocator) -> ByteBuffer {
        WebSocketFrameBytes.encode(ByteBuffer(string: text(of: event)), isBinary: false, allocator: allocator)
    }

    private static func text(of event: BroadcastEvent) -> String {
        PlainServerMessage.event(name: HeraldEvent.clientName(of: event.name), arguments: event.arguments, id: nil).text
    }

    /// The broadcast's compressed frame, made once for every plain WebSocket recipient with the same window, when this
    /// client agreed to permessage-deflate, its socket's site compresses and the message reaches the threshold.
    private func deflatedFrame(of broadcast: PreparedBroadcast, plainFrame: ByteBuffer, compression: MessageCompression?) -> ByteBuffer? {
        let deflate = handler.value.deflate
        guard let deflate, let compression,
            plainFrame.readableBytes - WebSocketFrameBytes.headerLength(ofFrame: plainFrame) >= compression.threshold
        else { return nil }
        let counters = handler.value.deflateCounters
        let allocator = channel.allocator
        let bits = deflate.serverMaxWindowBits
        return broadcast.rendering("\(Self.broadcastFormat)+deflate\(bits)") { event in
            MessageDeflater.deflate(ByteBuffer(string: Self.text(of: event)), windowBits: bits, allocator: allocator, counting: counters)
                .map { WebSocketFrameBytes.encode($0, isBinary: false, compressed: true, allocator: allocator) }
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
