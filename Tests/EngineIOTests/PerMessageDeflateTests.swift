import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import EngineIO

/// Records the messages a session receives.
private final class ReceivedMessages: EngineSessionDelegate {
    var messages: [EngineMessage] = []

    func engineSession(_ session: EngineSession, didReceive message: EngineMessage) {
        messages.append(message)
    }

    func engineSession(_ session: EngineSession, didCloseWith reason: EngineCloseReason) {}
}

/// A WebSocket-only session on an embedded channel with the handlers an upgrade installs, permessage-deflate agreed
/// (or not) as `deflate` says.
private struct DeflateHarness {
    let channel = EmbeddedChannel()
    let server: EngineServer
    let session: EngineSession
    let received = ReceivedMessages()

    init(server: EngineServer, deflate: PerMessageDeflate?, maxPayload: Int = 1_000) throws {
        self.server = server
        let handshake = EngineHandshake(query: [:], headers: [:], remoteAddress: nil, url: "/socket.io/")
        var handlers: [any ChannelHandler] = [
            WebSocketFrameEncoder(),
            WebSocketFrameValidator(allowsCompressedMessages: deflate != nil),
        ]
        if let deflate {
            handlers.append(WebSocketInflateHandler(deflate: deflate, maxMessageBytes: maxPayload, allocator: .init()))
        }
        let before = Set(server.registry.all.map(\.id))
        try channel.pipeline.syncOperations.addHandlers(
            handlers + [
                NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 16, maxAccumulatedFrameSize: maxPayload),
                WebSocketTransportHandler(
                    binding: .newSession(server, handshake, .v4),
                    maxPayload: maxPayload,
                    coalescer: server.flushCoalescers.coalescer(for: channel.eventLoop),
                    closures: server.connectionClosures,
                    deflate: deflate.map { WebSocketDeflate(agreement: $0, counters: server.deflateCounters) }
                ),
            ]
        )
        session = try #require(server.registry.all.first { !before.contains($0.id) })
        session.delegate = received
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        _ = try flushedBytes()  // the open packet
    }

    func flushedBytes() throws -> [UInt8] {
        channel.embeddedEventLoop.run()
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            bytes += Array(buffer: buffer)
        }
        return bytes
    }

    /// The status code of the close frame the server wrote, if it wrote one.
    func closeCode() throws -> UInt16? {
        let bytes = try flushedBytes()
        guard let start = bytes.firstIndex(of: 0x88), bytes.count >= start + 4, bytes[start + 1] == 2 else { return nil }
        return UInt16(bytes[start + 2]) << 8 | UInt16(bytes[start + 3])
    }
}

/// A masked client frame carrying `payload`.
private func clientFrame(_ opcode: WebSocketOpcode, _ payload: ByteBuffer, fin: Bool = true, rsv1: Bool = false) -> WebSocketFrame {
    let mask = WebSocketMaskingKey([9, 8, 7, 6])!
    var data = payload
    data.webSocketMask(mask)
    return WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: mask, data: data)
}

private func deflated(_ text: String) throws -> ByteBuffer {
    try #require(MessageDeflater.deflate(ByteBuffer(string: text), windowBits: 15, allocator: .init()))
}

/// A JSON payload of about `size` bytes, compressible as real messages are.
private func jsonPayload(size: Int) -> String {
    var json = "["
    var index = 0
    while json.utf8.count < size {
        json += #"{"id":\#(index),"user":"user_\#(index % 97)","text":"message number \#(index) for the room"},"#
        index += 1
    }
    return json + "{}]"
}

private let agreed = PerMessageDeflate(clientNoContextTakeover: true)

@Suite struct PerMessageDeflateNegotiationTests {
    @Test(arguments: [
        ("permessage-deflate", "permessage-deflate; server_no_context_takeover"),
        (
            "permessage-deflate; client_max_window_bits", "permessage-deflate; server_no_context_takeover"
        ),
        (
            "permessage-deflate; client_no_context_takeover; client_max_window_bits=10",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
        ),
        (
            #"permessage-deflate; server_max_window_bits="10""#,
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
        ),
        (
            "x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=8, PerMessage-Deflate; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover"
        ),
        (
            #"foo; bar="unterminated, permessage-deflate"#, "permessage-deflate; server_no_context_takeover"
        ),
    ])
    func acceptsTheFirstOfferItCanHonour(offer: String, answer: String) {
        #expect(PerMessageDeflate.negotiate(offers: [offer])?.responseHeaderValue == answer)
    }

    @Test(arguments: [
        "",
        "x-webkit-deflate-frame",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",
        "permessage-deflate; server_max_window_bits=8",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; unknown_parameter",
        "permessage-deflate;",
        "permessage-deflate; =15",
        #"permessage-deflate; server_max_window_bits="1"0""#,
        "permessage-deflate garbage",
        ";;;,,,===\"\"\"",
        "\u{00e9}permessage-deflate",
    ])
    func declinesWhatItCannotHonourWithoutFailing(offer: String) {
        #expect(PerMessageDeflate.negotiate(offers: [offer]) == nil)
    }

    @Test func readsOffersAcrossHeaderLines() {
        let agreement = PerMessageDeflate.negotiate(offers: ["foo", "permessage-deflate; client_no_context_takeover"])
        #expect(agreement?.clientNoContextTakeover == true)
        #expect(agreement?.serverMaxWindowBits == 15)
    }
}

@Suite struct PerMessageDeflateCodecTests {
    @Test(arguments: [0, 1, 1_000, 4_096, 200_000])
    func compressedMessagesInflateToTheOriginal(size: Int) throws {
        let text = jsonPayload(size: size)
        let compressed = try deflated(text)
        let inflated = try MessageInflater(allocator: .init()).inflate(compressed, isFinal: true, limit: 1 << 20)
        #expect(String(buffer: inflated) == text)
        if size >= 1_000 {
            #expect(compressed.readableBytes < text.utf8.count / 2)
        }
    }

    @Test func aSmallWindowStillInflates() throws {
        let text = jsonPayload(size: 20_000)
        let compressed = try #require(MessageDeflater.deflate(ByteBuffer(string: text), windowBits: 9, allocator: .init()))
        let inflated = try MessageInflater(allocator: .init()).inflate(compressed, isFinal: true, limit: 1 << 20)
        #expect(String(buffer: inflated) == text)
    }

    @Test func inflatingStopsAtTheBound() throws {
        let bomb = try deflated(String(repeating: "0", count: 10_000_000))
        #expect(bomb.readableBytes < 20_000)
        #expect(throws: PerMessageDeflateError.messageTooLarge) {
            try MessageInflater(allocator: .init()).inflate(bomb, isFinal: true, limit: 100_000)
        }
    }

    @Test func garbageIsCorruptData() {
        #expect(throws: PerMessageDeflateError.corruptData) {
            try MessageInflater(allocator: .init()).inflate(ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff]), isFinal: true, limit: 1_000)
        }
    }
}

@Suite struct PerMessageDeflateTransportTests {
    @Test func aBroadcastIsCompressedOnceForEveryRecipient() throws {
        let server = EngineServer(configuration: EngineConfiguration())
        let recipients = try (0..<5).map { _ in try DeflateHarness(server: server, deflate: agreed) }
        let plainRecipient = try DeflateHarness(server: server, deflate: nil)
        let text = jsonPayload(size: 4_096)
        let prepared = PreparedEngineMessage(.text(text))
        for harness in recipients + [plainRecipient] {
            harness.session.send(prepared: prepared, compression: MessageCompression())
        }
        #expect(server.deflateCounters.compressedMessages == 1)
        let frames = try recipients.map { try $0.flushedBytes() }
        #expect(Set(frames).count == 1)
        let frame = try #require(frames.first)
        #expect(frame.first == 0xC1)  // FIN, RSV1, text
        #expect(frame.count < text.utf8.count / 2)
        var payload = ByteBuffer(bytes: frame.dropFirst(WebSocketFrameBytes.headerLength(ofFrame: ByteBuffer(bytes: frame))))
        let inflated = try MessageInflater(allocator: .init()).inflate(payload, isFinal: true, limit: 1 << 20)
        payload = inflated
        #expect(String(buffer: payload) == "4" + text)
        #expect(try plainRecipient.flushedBytes() == Array(buffer: prepared.webSocketFrame(for: .v4)))
    }

    @Test func smallMessagesAndSocketsWithoutCompressionGoUncompressed() throws {
        let server = EngineServer(configuration: EngineConfiguration())
        let harness = try DeflateHarness(server: server, deflate: agreed)
        let small = PreparedEngineMessage(.text(jsonPayload(size: 500)))
        harness.session.send(prepared: small, compression: MessageCompression())
        #expect(try harness.flushedBytes() == Array(buffer: small.webSocketFrame(for: .v4)))
        let large = PreparedEngineMessage(.text(jsonPayload(size: 4_096)))
        harness.session.send(prepared: large, compression: nil)
        #expect(try harness.flushedBytes() == Array(buffer: large.webSocketFrame(for: .v4)))
        #expect(server.deflateCounters.compressedMessages == 0)
    }

    @Test func aDirectMessageIsCompressedForItsSocket() throws {
        let server = EngineServer(configuration: EngineConfiguration())
        let harness = try DeflateHarness(server: server, deflate: agreed)
        harness.session.send(.text(jsonPayload(size: 4_096)), compression: MessageCompression())
        let frame = try harness.flushedBytes()
        #expect(frame.first == 0xC1)
        #expect(server.deflateCounters.compressedMessages == 1)
    }

    @Test func compressedClientMessagesAreInflated() throws {
        let harness = try DeflateHarness(server: EngineServer(), deflate: PerMessageDeflate(clientNoContextTakeover: false))
        let whole = try deflated("4hello")
        try harness.channel.writeInbound(clientFrame(.text, whole, rsv1: true))
        var fragmented = try deflated("4" + jsonPayload(size: 600))
        let sliced = fragmented.readSlice(length: 10)
        let head = try #require(sliced)
        try harness.channel.writeInbound(clientFrame(.text, head, fin: false, rsv1: true))
        try harness.channel.writeInbound(clientFrame(.continuation, fragmented))
        try harness.channel.writeInbound(clientFrame(.text, ByteBuffer(string: "4plain")))
        #expect(harness.received.messages == [.text("hello"), .text(jsonPayload(size: 600)), .text("plain")])
    }

    @Test func aZipBombClosesWith1009() throws {
        let harness = try DeflateHarness(server: EngineServer(), deflate: agreed, maxPayload: 1_000)
        try harness.channel.writeInbound(clientFrame(.text, try deflated("4" + String(repeating: "0", count: 1_000_000)), rsv1: true))
        #expect(try harness.closeCode() == 1009)
        #expect(harness.received.messages.isEmpty)
    }

    @Test(arguments: [true, false])
    func misplacedRSV1ClosesWith1002(negotiated: Bool) throws {
        let harness = try DeflateHarness(server: EngineServer(), deflate: negotiated ? agreed : nil)
        if negotiated {
            try harness.channel.writeInbound(clientFrame(.text, try deflated("4a"), fin: false, rsv1: true))
            try harness.channel.writeInbound(clientFrame(.continuation, try deflated("b"), rsv1: true))
        } else {
            try harness.channel.writeInbound(clientFrame(.text, try deflated("4hello"), rsv1: true))
        }
        #expect(try harness.closeCode() == 1002)
        #expect(harness.received.messages.isEmpty)
    }

    @Test func corruptCompressedDataClosesWith1002() throws {
        let harness = try DeflateHarness(server: EngineServer(), deflate: agreed)
        try harness.channel.writeInbound(clientFrame(.text, ByteBuffer(bytes: [0xff, 0xfe, 0xfd]), rsv1: true))
        #expect(try harness.closeCode() == 1002)
    }
}
