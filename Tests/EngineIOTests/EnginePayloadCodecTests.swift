import NIOCore
import Testing

@testable import EngineIO

@Suite struct EnginePayloadCodecTests {
    private func decode(_ text: String, _ version: EngineProtocolVersion) throws(EngineProtocolError) -> [EnginePacket] {
        try EnginePayloadCodec.decode(ByteBuffer(string: text), version: version)
    }

    private func encode(_ packets: [EnginePacket], _ version: EngineProtocolVersion, binary: Bool = false) -> (String, String) {
        let encoded = EnginePayloadCodec.encode(packets, version: version, supportsBinary: binary, allocator: .init())
        return (String(buffer: encoded.body), encoded.contentType)
    }

    @Test func v4PacketsAreSeparatedByRecordSeparator() throws {
        let packets: [EnginePacket] = [.message(.text("a")), .ping(""), .message(.binary(ByteBuffer(bytes: [1, 2, 3])))]
        let (body, type) = encode(packets, .v4)
        #expect(body == "4a\u{1E}2\u{1E}bAQID")
        #expect(type == "text/plain; charset=UTF-8")
        #expect(try decode(body, .v4) == packets)
    }

    @Test func v3TextPayloadCountsUTF16Units() throws {
        let packets: [EnginePacket] = [.message(.text("€")), .message(.text("😀")), .message(.text("hello"))]
        let (body, _) = encode(packets, .v3)
        #expect(body == "2:4€3:4😀6:4hello")
        #expect(try decode(body, .v3) == packets)
    }

    @Test func v3TextPayloadCarriesBinaryAsBase64WhenTheClientAskedForIt() throws {
        let packets: [EnginePacket] = [.message(.binary(ByteBuffer(bytes: [0, 255])))]
        let (body, type) = encode(packets, .v3, binary: false)
        #expect(body == "6:b4AP8=")
        #expect(type == "text/plain; charset=UTF-8")
        #expect(try decode(body, .v3) == packets)
    }

    @Test func v3BinaryPayloadFormat() throws {
        let packets: [EnginePacket] = [.message(.text("hi")), .message(.binary(ByteBuffer(bytes: [7, 8])))]
        let encoded = EnginePayloadCodec.encode(packets, version: .v3, supportsBinary: true, allocator: .init())
        let expected: [UInt8] = [0, 3, 0xFF, UInt8(ascii: "4"), UInt8(ascii: "h"), UInt8(ascii: "i"), 1, 3, 0xFF, 4, 7, 8]
        #expect(Array(buffer: encoded.body) == expected)
        #expect(encoded.contentType == "application/octet-stream")
        #expect(try EnginePayloadCodec.decode(ByteBuffer(bytes: expected), version: .v3) == packets)
    }

    @Test func v3BinaryPayloadWithMultiDigitLength() throws {
        let text = String(repeating: "z", count: 120)
        var bytes: [UInt8] = [0, 1, 2, 1, 0xFF, UInt8(ascii: "4")]
        bytes += Array(text.utf8)
        #expect(try EnginePayloadCodec.decode(ByteBuffer(bytes: bytes), version: .v3) == [.message(.text(text))])
    }

    @Test func malformedPayloadsGiveSpecificErrors() {
        #expect(throws: EngineProtocolError.invalidPayload("empty payload")) { try decode("", .v4) }
        #expect(throws: EngineProtocolError.emptyPacket) { try decode("4a\u{1E}", .v4) }
        #expect(throws: EngineProtocolError.invalidPayload("length 9 exceeds the payload")) { try decode("9:4a", .v3) }
        #expect(throws: EngineProtocolError.invalidPayload("missing ':' after the length")) { try decode("12", .v3) }
        #expect(throws: EngineProtocolError.invalidPayload("length prefix is not a number")) { try decode("a:4", .v3) }
        #expect(throws: EngineProtocolError.invalidPayload("missing length before ':'")) { try decode(":4", .v3) }
        #expect(throws: EngineProtocolError.invalidPayload("length digit above 9")) {
            try EnginePayloadCodec.decode(ByteBuffer(bytes: [0, 12, 0xFF, 52]), version: .v3)
        }
        #expect(throws: EngineProtocolError.invalidPayload("missing 0xFF after the length")) {
            try EnginePayloadCodec.decode(ByteBuffer(bytes: [0, 1, 2]), version: .v3)
        }
        #expect(throws: EngineProtocolError.invalidUTF8) {
            try EnginePayloadCodec.decode(ByteBuffer(bytes: [0, 2, 0xFF, 52, 0xC3]), version: .v3)
        }
        #expect(throws: EngineProtocolError.invalidUTF8) {
            try EnginePayloadCodec.decode(ByteBuffer(bytes: [52, 0xFF, 0xFE]), version: .v4)
        }
    }

    @Test func packetCountIsLimited() {
        let body = Array(repeating: "6", count: 11).joined(separator: "\u{1E}")
        #expect(throws: EngineProtocolError.tooManyPackets(limit: 10)) {
            try EnginePayloadCodec.decode(ByteBuffer(string: body), version: .v4, maxPackets: 10)
        }
    }
}
