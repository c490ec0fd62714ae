import NIOCore
import NIOEmbedded
import Testing

@testable import EngineIO

/// Counts the reads a channel's handlers ask for, to see when a splice end holds its reads back.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// The client's connection and the owner's, spliced byte for byte on one event loop.
private struct SplicedPair {
    let loop = EmbeddedEventLoop()
    let client: EmbeddedChannel
    let owner: EmbeddedChannel
    let clientReads = ReadCounter()

    init() throws {
        client = EmbeddedChannel(loop: loop)
        owner = EmbeddedChannel(loop: loop)
        let (clientEnd, ownerEnd) = Splice.matchedPair()
        try client.pipeline.syncOperations.addHandlers([clientReads, clientEnd])
        try owner.pipeline.syncOperations.addHandler(ownerEnd)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        try client.connect(to: address).wait()
        try owner.connect(to: address).wait()
    }
}

@Suite struct SpliceTests {
    @Test func bytesPassUnchangedBothWays() throws {
        let pair = try SplicedPair()
        try pair.client.writeInbound(ByteBuffer(bytes: [0x81, 0x86, 1, 2, 3, 4]))
        #expect(try pair.owner.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0x81, 0x86, 1, 2, 3, 4]))
        try pair.owner.writeInbound(ByteBuffer(string: "\u{81}\u{01}2"))
        #expect(try pair.client.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "\u{81}\u{01}2"))
    }

    @Test func aSideReadsOnlyWhileItsPartnerCanWrite() throws {
        let pair = try SplicedPair()
        pair.owner.isWritable = false
        pair.client.read()
        #expect(pair.clientReads.reads == 0)
        pair.owner.isWritable = true
        pair.owner.pipeline.fireChannelWritabilityChanged()
        #expect(pair.clientReads.reads == 1)
        pair.client.read()
        #expect(pair.clientReads.reads == 2)
    }

    @Test func whenOneSideClosesTheOtherCloses() throws {
        let pair = try SplicedPair()
        #expect(pair.client.isActive)
        try pair.owner.close().wait()
        pair.loop.run()
        #expect(!pair.client.isActive)
    }
}
