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

    @Test func tallyCountsEachClientSequenceOnce() {
        var tally = DeliveryTally()
        let five = [Stamp(seq: 5, sentMicros: 10)]
        tally.record(client: 1, stamps: five, batch: false, reconnected: false, nowMicros: 1010)
        tally.record(client: 1, stamps: five, batch: false, reconnected: false, nowMicros: 1020)
        tally.record(client: 2, stamps: five, batch: false, reconnected: false, nowMicros: 1030)
        tally.record(client: 2, stamps: [], batch: false, reconnected: false, nowMicros: 1030)
        #expect(tally.unique == 2)
        #expect(tally.duplicates == 1)
        #expect(tally.malformed == 1)
        #expect(tally.latency.totalCount == 3)
    }

    @Test func repeatAfterReconnectIsRedeliveryAndBatchesSkipLatency() {
        var tally = DeliveryTally()
        tally.record(client: 1, stamps: [Stamp(seq: 1, sentMicros: 10)], batch: false, reconnected: false, nowMicros: 20)
        let batch = [Stamp(seq: 1, sentMicros: 10), Stamp(seq: 2, sentMicros: 10)]
        tally.record(client: 1, stamps: batch, batch: true, reconnected: true, nowMicros: 900)
        #expect(tally.unique == 2)
        #expect(tally.duplicates == 0)
        #expect(tally.redelivered == 1)
        #expect(tally.batched == 2)
        #expect(tally.latency.totalCount == 1)
    }
}
