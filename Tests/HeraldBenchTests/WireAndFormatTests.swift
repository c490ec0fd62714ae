import NIOCore
import Testing

@testable import herald_bench

/// Client frames must be masked and readable by a server; tokens must match the table the harness generates.
@Suite struct WireAndFormatTests {
    @Test(arguments: [0, 125, 126, 70_000])
    func maskedFrameRoundTrips(size: Int) throws {
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
        var buffer = ByteBuffer()
        WebSocketWire.writeFrame(.text, payload: payload, to: &buffer)
        #expect(buffer.getInteger(at: 1, as: UInt8.self).map { $0 & 0x80 } == 0x80)
        let frame = try #require(WebSocketWire.readFrame(from: &buffer))
        #expect(frame.opcode == .text)
        #expect(frame.fin)
        #expect(Array(frame.payload.readableBytesView) == payload)
        #expect(buffer.readableBytes == 0)
    }

    @Test func partialFrameWaitsForMoreBytes() {
        var whole = ByteBuffer()
        WebSocketWire.writeFrame(.text, payload: Array("hello".utf8), to: &whole)
        var partial = whole.getSlice(at: 0, length: whole.readableBytes - 1)!
        #expect(WebSocketWire.readFrame(from: &partial) == nil)
        #expect(partial.readableBytes == whole.readableBytes - 1)
    }

    @Test func indexedFormatPadsLikePrintf() {
        #expect(IndexedFormat("bench-token-%010d")(42) == "bench-token-0000000042")
        #expect(IndexedFormat("device-%d-x")(7) == "device-7-x")
        #expect(IndexedFormat("fixed")(3) == "fixed")
    }

    @Test func serverTargetParsesHostAndPort() throws {
        let target = try ServerTarget(url: "http://127.0.0.1:18003/")
        #expect(target.host == "127.0.0.1")
        #expect(target.port == 18003)
        #expect(throws: BenchError.self) { try ServerTarget(url: "https://x:1") }
    }

    @Test func sequenceSetCountsEachValueOnce() {
        var tally = DeliveryTally()
        tally.record(client: 1, seq: 5, sentMicros: 10, nowMicros: 1010)
        tally.record(client: 1, seq: 5, sentMicros: 10, nowMicros: 1020)
        tally.record(client: 2, seq: 5, sentMicros: 10, nowMicros: 1030)
        tally.record(client: 2, seq: nil, sentMicros: nil, nowMicros: 1030)
        #expect(tally.unique == 2)
        #expect(tally.duplicates == 1)
        #expect(tally.malformed == 1)
        #expect(tally.latency.totalCount == 3)
    }
}
