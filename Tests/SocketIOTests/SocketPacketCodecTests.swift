import NIOCore
import Testing

@testable import SocketIO

@Suite struct SocketPacketCodecTests {
    static let cases: [(String, SocketPacket)] = [
        ("0", .connect(namespace: "/", payload: nil)),
        ("0/admin,", .connect(namespace: "/admin", payload: nil)),
        (#"0/admin,{"token":"x"}"#, .connect(namespace: "/admin", payload: ["token": "x"])),
        (#"0{"sid":"abc"}"#, .connect(namespace: "/", payload: ["sid": "abc"])),
        ("1", .disconnect(namespace: "/")),
        ("1/admin,", .disconnect(namespace: "/admin")),
        (#"2["hello",1]"#, .event(namespace: "/", ackID: nil, name: "hello", arguments: [1])),
        (#"2/admin,12["hello"]"#, .event(namespace: "/admin", ackID: 12, name: "hello", arguments: [])),
        (#"3/admin,12["ok"]"#, .ack(namespace: "/admin", ackID: 12, arguments: ["ok"])),
        ("30[]", .ack(namespace: "/", ackID: 0, arguments: [])),
        (#"4{"message":"Not authorized"}"#, .connectError(namespace: "/", payload: ["message": "Not authorized"])),
        (#"4/site,"Invalid namespace""#, .connectError(namespace: "/site", payload: "Invalid namespace")),
    ]

    @Test func everyPacketTypeEncodesAndDecodes() throws {
        for (text, packet) in Self.cases {
            var decoder = SocketPacketDecoder()
            #expect(try decoder.decode(text: text) == packet, "decoding \(text)")
            let encoded = SocketPacketEncoder.encode(packet)
            #expect(encoded.text == text)
            #expect(encoded.attachments.isEmpty)
        }
    }

    @Test func v4ConnectKeepsTheQueryOnTheNamespace() throws {
        var decoder = SocketPacketDecoder()
        #expect(try decoder.decode(text: "0/site?token=T&deviceId=D,") == .connect(namespace: "/site?token=T&deviceId=D", payload: nil))
        #expect(try decoder.decode(text: "0/site") == .connect(namespace: "/site", payload: nil))
    }

    @Test func binaryEventRoundTripsWithPlaceholders() throws {
        let first = ByteBuffer(bytes: [1, 2])
        let second = ByteBuffer(bytes: [3])
        let packet = SocketPacket.event(
            namespace: "/",
            ackID: nil,
            name: "upload",
            arguments: [.object(["file": .binary(first), "parts": [.binary(second)]])]
        )
        let encoded = SocketPacketEncoder.encode(packet)
        #expect(encoded.text.hasPrefix(#"52-["upload",{"#))
        #expect(encoded.text.contains(#"{"_placeholder":true,"num":"#))
        #expect(Set(encoded.attachments) == [first, second])
        var decoder = SocketPacketDecoder()
        #expect(try decoder.decode(text: encoded.text) == nil, "waits for attachments")
        #expect(try decoder.decode(binary: encoded.attachments[0]) == nil)
        #expect(try decoder.decode(binary: encoded.attachments[1]) == packet)
    }

    @Test func binaryAckWithNamespaceAndID() throws {
        let packet = SocketPacket.ack(namespace: "/admin", ackID: 13, arguments: [.binary(ByteBuffer(bytes: [9]))])
        let encoded = SocketPacketEncoder.encode(packet)
        #expect(encoded.text == #"61-/admin,13[{"_placeholder":true,"num":0}]"#)
        var decoder = SocketPacketDecoder()
        _ = try decoder.decode(text: encoded.text)
        #expect(try decoder.decode(binary: ByteBuffer(bytes: [9])) == packet)
    }

    @Test(arguments: [
        ("", SocketProtocolError.emptyPacket),
        ("7", .unknownPacketType("7")),
        ("x", .unknownPacketType("x")),
        (#"2["message""#, .invalidJSON(JSONParseError(offset: 10, reason: "unterminated array"))),
        (#"3["x"]"#, .invalidAckID),
        (#"3abc["x"]"#, .invalidJSON(JSONParseError(offset: 0, reason: "unexpected character"))),
        (#"31234567890123456["x"]"#, .invalidAckID),
        ("2[]", .invalidPayload("EVENT payload must be an array starting with the event name")),
        ("2[1]", .invalidPayload("EVENT payload must be an array starting with the event name")),
        (#"2{"a":1}"#, .invalidPayload("EVENT payload must be an array starting with the event name")),
        ("0[1]", .invalidPayload("CONNECT payload must be an object")),
        ("1/a,{}", .invalidPayload("DISCONNECT carries no payload")),
        ("30{}", .invalidPayload("ACK payload must be an array")),
        ("4", .invalidPayload("CONNECT_ERROR needs a payload")),
        ("44444444", .invalidPayload("CONNECT_ERROR needs a payload")),
        ("44\n4444444", .invalidPayload("CONNECT_ERROR payload must be a string or an object")),
        ("4[1]", .invalidPayload("CONNECT_ERROR payload must be a string or an object")),
        (#"5-["a"]"#, .invalidAttachmentCount),
        (#"50-["a"]"#, .invalidAttachmentCount),
        (#"5x-["a"]"#, .invalidAttachmentCount),
        (#"511-["a"]"#, .tooManyAttachments(limit: 10)),
    ])
    func malformedPacketsGiveSpecificErrors(text: String, error: SocketProtocolError) {
        var decoder = SocketPacketDecoder()
        #expect(throws: error) { try decoder.decode(text: text) }
    }

    @Test func attachmentWithoutBinaryPacketIsRejected() {
        var decoder = SocketPacketDecoder()
        #expect(throws: SocketProtocolError.unexpectedAttachment) { try decoder.decode(binary: ByteBuffer(bytes: [1])) }
    }

    @Test func textWhileAwaitingAttachmentsIsRejected() throws {
        var decoder = SocketPacketDecoder()
        _ = try decoder.decode(text: #"51-["a",{"_placeholder":true,"num":0}]"#)
        #expect(throws: SocketProtocolError.attachmentsExpected) { try decoder.decode(text: #"2["b"]"#) }
    }

    @Test func placeholderOutOfRangeOrReusedIsRejected() throws {
        var outOfRange = SocketPacketDecoder()
        _ = try outOfRange.decode(text: #"51-["a",{"_placeholder":true,"num":1}]"#)
        #expect(throws: SocketProtocolError.invalidPayload("placeholder 1 out of range")) {
            try outOfRange.decode(binary: ByteBuffer(bytes: [1]))
        }
        var reused = SocketPacketDecoder()
        _ = try reused.decode(text: #"52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]"#)
        _ = try reused.decode(binary: ByteBuffer(bytes: [1]))
        #expect(throws: SocketProtocolError.invalidPayload("placeholder 0 used twice")) {
            try reused.decode(binary: ByteBuffer(bytes: [2]))
        }
    }
}
