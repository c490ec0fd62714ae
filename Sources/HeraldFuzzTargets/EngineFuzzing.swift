import EngineIO
import NIOCore

/// Engine.IO decoding: what a client sends in a polling POST body or a WebSocket frame.
enum EngineFuzzing {
    private static let allocator = ByteBufferAllocator()

    /// A polling body; what decodes must encode (with and without the v3 binary form) and decode to the same.
    static func payload(_ input: UnsafeRawBufferPointer, version: EngineProtocolVersion) {
        guard let packets = try? EnginePayloadCodec.decode(ByteBuffer(bytes: input), version: version) else { return }
        for supportsBinary in [false, true] {
            let encoded = EnginePayloadCodec.encode(packets, version: version, supportsBinary: supportsBinary, allocator: allocator)
            let again = try? EnginePayloadCodec.decode(encoded.body, version: version)
            precondition(
                again == packets,
                "payload \(packets) encoded as \(Array(encoded.body.readableBytesView)) decodes to \(String(describing: again))"
            )
        }
    }

    /// One frame: the first byte picks the version, text or binary frame, and whether `b<base64>` is allowed.
    static func packet(_ input: UnsafeRawBufferPointer) {
        guard let flags = input.first else { return }
        let version: EngineProtocolVersion = flags & 1 == 0 ? .v4 : .v3
        let frame = input.dropFirst()
        let packet: EnginePacket?
        if flags & 2 == 0 {
            guard let text = String(validating: frame, as: UTF8.self) else { return }
            packet = try? EnginePacketCodec.decode(text: text[...], version: version, allowBase64Binary: flags & 4 != 0)
        } else {
            packet = try? EnginePacketCodec.decode(binaryFrame: ByteBuffer(bytes: frame), version: version)
        }
        guard let packet else { return }
        let (isBinary, payload) = EnginePacketCodec.encodeWebSocketFrame(packet, version: version, allocator: allocator)
        let fromFrame: EnginePacket?
        if isBinary {
            fromFrame = try? EnginePacketCodec.decode(binaryFrame: payload, version: version)
        } else {
            fromFrame = try? EnginePacketCodec.decode(text: String(buffer: payload)[...], version: version, allowBase64Binary: false)
        }
        precondition(fromFrame == packet, "\(packet) as a WebSocket frame decodes to \(String(describing: fromFrame))")
        let text = EnginePacketCodec.encodeText(packet, version: version)
        let fromText = try? EnginePacketCodec.decode(text: text[...], version: version, allowBase64Binary: true)
        precondition(fromText == packet, "\(packet) as polling text \(text.debugDescription) decodes to \(String(describing: fromText))")
    }
}
