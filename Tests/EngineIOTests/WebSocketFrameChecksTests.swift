import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import EngineIO

/// A WebSocket-only session on an embedded channel with the inbound handlers an upgrade installs.
private struct InboundHarness {
    let channel = EmbeddedChannel()
    let server = EngineServer(configuration: EngineConfiguration(maxPayload: 100))

    init() throws {
        let handshake = EngineHandshake(query: [:], headers: [:], remoteAddress: nil, url: "/socket.io/")
        try channel.pipeline.syncOperations.addHandlers([
            WebSocketFrameEncoder(),
            WebSocketFrameValidator(),
            NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 16, maxAccumulatedFrameSize: 100),
            WebSocketTransportHandler(
                binding: .newSession(server, handshake, .v4),
                maxPayload: 100,
                coalescer: server.flushCoalescers.coalescer(for: channel.eventLoop),
                closures: server.connectionClosures
            ),
        ])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.embeddedEventLoop.run()
        _ = try flushedBytes()  // the open packet, flushed at the end of the loop turn
    }

    func send(_ frame: WebSocketFrame) throws {
        try channel.writeInbound(frame)
    }

    func flushedBytes() throws -> [UInt8] {
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

    func closures(_ closure: ConnectionClosure) -> Int {
        server.connectionClosures.snapshot[closure] ?? 0
    }
}

private func clientFrame(
    _ opcode: WebSocketOpcode,
    _ text: String,
    fin: Bool = true,
    masked: Bool = true,
    rsv1: Bool = false
) -> WebSocketFrame {
    let mask: WebSocketMaskingKey? = masked ? WebSocketMaskingKey([1, 2, 3, 4])! : nil
    var data = ByteBuffer(string: text)
    if let mask {
        data.webSocketMask(mask)
    }
    return WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: mask, data: data)
}

@Suite struct WebSocketFrameChecksTests {
    @Test(arguments: [
        clientFrame(.text, "4hi", masked: false),
        clientFrame(.text, "4hi", rsv1: true),
        clientFrame(WebSocketOpcode(encodedWebSocketOpcode: 0x3)!, "x"),
        clientFrame(WebSocketOpcode(encodedWebSocketOpcode: 0xB)!, "x"),
        clientFrame(.continuation, "orphan"),
    ])
    func protocolViolationsCloseWith1002(frame: WebSocketFrame) throws {
        let harness = try InboundHarness()
        try harness.send(frame)
        #expect(try harness.closeCode() == 1002)
        #expect(!harness.channel.isActive)
        #expect(harness.closures(.webSocketProtocolError) == 1)
    }

    @Test func invalidUTF8TextClosesWith1007() throws {
        let harness = try InboundHarness()
        var data = ByteBuffer(bytes: [UInt8(ascii: "4"), 0xFF, 0xFE])
        let mask = WebSocketMaskingKey([9, 8, 7, 6])!
        data.webSocketMask(mask)
        try harness.send(WebSocketFrame(fin: true, opcode: .text, maskKey: mask, data: data))
        #expect(try harness.closeCode() == 1007)
        #expect(harness.closures(.webSocketInvalidText) == 1)
    }

    @Test func fragmentsOverMaxPayloadCloseWith1009() throws {
        let harness = try InboundHarness()
        try harness.send(clientFrame(.text, "4" + String(repeating: "x", count: 60), fin: false))
        try harness.send(clientFrame(.continuation, String(repeating: "x", count: 60)))
        #expect(try harness.closeCode() == 1009)
        #expect(harness.closures(.webSocketMessageTooLarge) == 1)
    }

    @Test func pongsAreAnsweredWhileTheChannelIsWritable() throws {
        let harness = try InboundHarness()
        try harness.send(clientFrame(.ping, "hello"))
        #expect(try harness.flushedBytes() == [0x8A, 5] + Array("hello".utf8))
    }

    @Test func pingToAClientThatDoesNotReadClosesInsteadOfQueueingAPong() throws {
        let harness = try InboundHarness()
        harness.channel.isWritable = false
        harness.channel.pipeline.fireChannelWritabilityChanged()
        try harness.send(clientFrame(.ping, "hello"))
        #expect(!harness.channel.isActive)
        #expect(!(try harness.flushedBytes()).contains(0x8A))
        #expect(harness.closures(.slowConsumer) == 1)
    }
}
