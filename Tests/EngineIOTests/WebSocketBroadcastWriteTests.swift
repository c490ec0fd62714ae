import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import EngineIO

/// A WebSocket-only session on an embedded channel whose pipeline is the one an upgrade builds for writing.
private struct WebSocketHarness {
    let channel = EmbeddedChannel()
    let server = EngineServer(configuration: EngineConfiguration())
    let session: EngineSession

    init(version: EngineProtocolVersion = .v4) throws {
        let handshake = EngineHandshake(query: [:], headers: [:], remoteAddress: nil, url: "/socket.io/")
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        try channel.pipeline.syncOperations.addHandler(
            WebSocketTransportHandler(
                binding: .newSession(server, handshake, version),
                maxPayload: 1_000_000,
                coalescer: server.flushCoalescers.coalescer(for: channel.eventLoop),
                closures: server.connectionClosures
            )
        )
        session = try #require(server.registry.all.first)
    }

    /// Every byte flushed to the socket once the loop's current turn is over (direct sends and broadcasts alike are
    /// flushed by the loop's coalescer at the end of the turn).
    func bytesAfterLoopTurn() throws -> [UInt8] {
        channel.embeddedEventLoop.run()
        return try flushedBytes()
    }

    /// Every byte flushed to the socket so far.
    func flushedBytes() throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            bytes += Array(buffer: buffer)
        }
        return bytes
    }
}

/// What SwiftNIO's own encoder writes for `frame`.
private func nioEncoded(_ frame: WebSocketFrame) throws -> [UInt8] {
    let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
    try channel.writeAndFlush(frame).wait()
    var bytes: [UInt8] = []
    while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
        bytes += Array(buffer: buffer)
    }
    return bytes
}

@Suite struct WebSocketBroadcastWriteTests {
    @Test(arguments: [0, 1, 125, 126, 65_535, 65_536, 70_000])
    func encodedFramesMatchSwiftNIOsEncoder(length: Int) throws {
        let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: length)
        for isBinary in [false, true] {
            let ours = WebSocketFrameBytes.encode(payload, isBinary: isBinary, allocator: .init())
            let reference = try nioEncoded(WebSocketFrame(fin: true, opcode: isBinary ? .binary : .text, data: payload))
            #expect(Array(buffer: ours) == reference)
        }
    }

    @Test func preparedMessageCarriesWholeFramesPerVersion() throws {
        let text = PreparedEngineMessage(.text("hi"))
        #expect(!text.isBinary)
        #expect(Array(buffer: text.webSocketFrame(for: .v4)) == [0x81, 3] + Array("4hi".utf8))
        #expect(text.webSocketFrame(for: .v3) == text.webSocketFrame(for: .v4))
        let binary = PreparedEngineMessage(.binary(ByteBuffer(bytes: [1, 2, 3])))
        #expect(binary.isBinary)
        #expect(Array(buffer: binary.webSocketFrame(for: .v4)) == [0x82, 3, 1, 2, 3])
        #expect(Array(buffer: binary.webSocketFrame(for: .v3)) == [0x82, 4, 4, 1, 2, 3])
    }

    @Test func broadcastsInOneLoopTurnLeaveInOneFlushInOrder() throws {
        let harness = try WebSocketHarness()
        let open = try harness.bytesAfterLoopTurn()
        #expect(open.first == 0x81)
        harness.session.send(prepared: PreparedEngineMessage(.text("first")))
        harness.session.send(prepared: PreparedEngineMessage(.text("second")))
        #expect(try harness.flushedBytes().isEmpty)
        harness.channel.embeddedEventLoop.run()
        let expected = [0x81, 6] + Array("4first".utf8) + [0x81, 7] + Array("4second".utf8)
        #expect(try harness.flushedBytes() == expected)
    }

    @Test func aDirectSendAfterABroadcastKeepsTheOrderInTheSameFlush() throws {
        let harness = try WebSocketHarness()
        _ = try harness.bytesAfterLoopTurn()
        harness.session.send(prepared: PreparedEngineMessage(.text("broadcast")))
        harness.session.send(.text("direct"))
        harness.session.send(.text("again"))
        #expect(try harness.flushedBytes().isEmpty, "nothing leaves before the loop turn ends")
        let expected =
            [0x81, 10] + Array("4broadcast".utf8) + [0x81, 7] + Array("4direct".utf8) + [0x81, 6] + Array("4again".utf8)
        #expect(try harness.bytesAfterLoopTurn() == expected)
    }

    @Test func closingFlushesAPendingBroadcastBeforeTheCloseFrame() throws {
        let harness = try WebSocketHarness()
        _ = try harness.bytesAfterLoopTurn()
        harness.session.send(prepared: PreparedEngineMessage(.text("last")))
        harness.session.close()
        harness.channel.embeddedEventLoop.run()
        let bytes = try harness.flushedBytes()
        let last: [UInt8] = [0x81, 5] + Array("4last".utf8)
        #expect(Array(bytes.prefix(last.count)) == last)
        #expect(bytes.dropFirst(last.count).first == 0x88)
    }

    @Test func shutdownClosesWebSocketsWithGoingAway() throws {
        let harness = try WebSocketHarness()
        _ = try harness.bytesAfterLoopTurn()
        harness.server.closeAllSessions()
        #expect(try harness.flushedBytes() == [0x88, 2, 0x03, 0xE9])
        #expect(harness.server.sessionCount == 0)
    }
}
