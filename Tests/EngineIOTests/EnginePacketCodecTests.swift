import NIOCore
import Testing

@testable import EngineIO

@Suite struct EnginePacketCodecTests {
    static let textCases: [(String, EnginePacket)] = [
        (#"0{"sid":"x"}"#, .open(#"{"sid":"x"}"#)),
        ("1", .close),
        ("2", .ping("")),
        ("2probe", .ping("probe")),
        ("3", .pong("")),
        ("3probe", .pong("probe")),
        ("4hello ✓", .message(.text("hello ✓"))),
        ("4", .message(.text(""))),
        ("5", .upgrade),
        ("6", .noop),
    ]

    @Test(arguments: [EngineProtocolVersion.v3, .v4])
    func everyTextPacketDecodesAndEncodes(version: EngineProtocolVersion) throws {
        for (text, packet) in Self.textCases {
            #expect(try EnginePacketCodec.decode(text: text[...], version: version, allowBase64Binary: false) == packet)
            #expect(EnginePacketCodec.encodeText(packet, version: version) == text)
            let frame = EnginePacketCodec.encodeWebSocketFrame(packet, version: version, allocator: .init())
            #expect(!frame.isBinary)
            #expect(String(buffer: frame.payload) == text)
        }
    }

    @Test func base64BinaryFormsDifferByVersion() throws {
        let data = ByteBuffer(bytes: [0, 1, 254, 255])
        #expect(EnginePacketCodec.encodeText(.message(.binary(data)), version: .v4) == "bAAH+/w==")
        #expect(EnginePacketCodec.encodeText(.message(.binary(data)), version: .v3) == "b4AAH+/w==")
        #expect(try EnginePacketCodec.decode(text: "bAAH+/w==", version: .v4, allowBase64Binary: true) == .message(.binary(data)))
        #expect(try EnginePacketCodec.decode(text: "b4AAH+/w==", version: .v3, allowBase64Binary: true) == .message(.binary(data)))
    }

    @Test func base64IsOnlyForPollingSegments() throws {
        #expect(throws: EngineProtocolError.unknownPacketType(UInt8(ascii: "b"))) {
            try EnginePacketCodec.decode(text: "bAAE=", version: .v4, allowBase64Binary: false)
        }
    }

    @Test func webSocketBinaryFramesCarryATypeByteOnlyInV3() throws {
        let data = ByteBuffer(bytes: [9, 8, 7])
        let v4 = EnginePacketCodec.encodeWebSocketFrame(.message(.binary(data)), version: .v4, allocator: .init())
        #expect(v4.isBinary && Array(buffer: v4.payload) == [9, 8, 7])
        let v3 = EnginePacketCodec.encodeWebSocketFrame(.message(.binary(data)), version: .v3, allocator: .init())
        #expect(v3.isBinary && Array(buffer: v3.payload) == [4, 9, 8, 7])
        #expect(try EnginePacketCodec.decode(binaryFrame: v4.payload, version: .v4) == .message(.binary(data)))
        #expect(try EnginePacketCodec.decode(binaryFrame: v3.payload, version: .v3) == .message(.binary(data)))
    }

    @Test func malformedPacketsGiveSpecificErrors() {
        #expect(throws: EngineProtocolError.emptyPacket) {
            try EnginePacketCodec.decode(text: "", version: .v4, allowBase64Binary: true)
        }
        #expect(throws: EngineProtocolError.unknownPacketType(UInt8(ascii: "9"))) {
            try EnginePacketCodec.decode(text: "9", version: .v4, allowBase64Binary: true)
        }
        #expect(throws: EngineProtocolError.unknownPacketType(UInt8(ascii: "x"))) {
            try EnginePacketCodec.decode(text: "xyz", version: .v3, allowBase64Binary: true)
        }
        #expect(throws: EngineProtocolError.invalidBase64) {
            try EnginePacketCodec.decode(text: "b!!!!", version: .v4, allowBase64Binary: true)
        }
        #expect(throws: EngineProtocolError.emptyPacket) {
            try EnginePacketCodec.decode(binaryFrame: ByteBuffer(), version: .v3)
        }
        #expect(throws: EngineProtocolError.unknownPacketType(2)) {
            try EnginePacketCodec.decode(binaryFrame: ByteBuffer(bytes: [2, 1]), version: .v3)
        }
    }

    @Test func errorDescriptionsAreReadable() {
        #expect(EngineProtocolError.unknownPacketType(UInt8(ascii: "9")).description == "unknown packet type '9'")
        #expect(EngineProtocolError.invalidPayload("missing ':' after the length").description.contains("missing ':'"))
    }
}
