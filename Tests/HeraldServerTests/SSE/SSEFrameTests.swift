import Herald
import HeraldServer
import NIOCore
import SocketIO
import Testing

@Suite struct SSEFrameTests {
    private func text(_ buffer: ByteBuffer) -> String {
        String(buffer: buffer)
    }

    @Test func storedEventCarriesItsIDNameAndArgumentsAsOneJSONArray() {
        let frame = SSEFrame.event(
            id: FlakeID(rawValue: 7_000_000_000_000_000_001),
            name: "chat",
            arguments: [.object(["text": .string("hi")]), .int(2)]
        )
        #expect(text(frame) == "id: 7000000000000000001\nevent: chat\ndata: [{\"text\":\"hi\"},2]\n\n")
    }

    @Test func eventWithoutIDLeavesTheClientsPositionAlone() {
        #expect(text(SSEFrame.event(id: nil, name: "news", arguments: [])) == "event: news\ndata: []\n\n")
    }

    @Test func lineBreaksInArgumentsStayInsideTheJSONString() {
        let frame = SSEFrame.event(id: nil, name: "news", arguments: [.string("a\nb\r\nc")])
        #expect(text(frame) == "event: news\ndata: [\"a\\nb\\r\\nc\"]\n\n")
    }

    @Test func aBackendsArgumentKeepsItsBytesOnOneDataLine() throws {
        let argument = try RawJSON(validating: Array("{\n  \"b\": 1.0,\n  \"a\": [1e3]\n}".utf8))
        let frame = SSEFrame.event(id: nil, name: "news", arguments: [.raw(argument)])
        #expect(text(frame) == "event: news\ndata: [{\"b\":1.0,\"a\":[1e3]}]\n\n")
    }

    @Test func lineBreaksAndNULInAnEventNameAreEscapedSoTheFramingHolds() {
        let frame = SSEFrame.event(id: nil, name: "bad\nevent: x\r\0", arguments: [.int(1)])
        #expect(text(frame) == "event: bad%0Aevent: x%0D%00\ndata: [1]\n\n")
        #expect(text(frame).split(separator: "\n", omittingEmptySubsequences: false).count == 4)
    }

    @Test func nonASCIINamesPassUnchanged() {
        #expect(text(SSEFrame.event(id: nil, name: "nouvelle-été", arguments: [])) == "event: nouvelle-été\ndata: []\n\n")
        // A combining mark first joins the space after the colon into one Character, but not into one byte.
        let frame = SSEFrame.event(id: nil, name: "\u{0597}", arguments: [])
        #expect(Array(frame.readableBytesView) == Array("event: ".utf8) + [0xD6, 0x97] + Array("\ndata: []\n\n".utf8))
    }

    @Test func commentsAndRetryAreSingleFields() {
        #expect(text(SSEFrame.comment(" heartbeat")) == ": heartbeat\n\n")
        #expect(text(SSEFrame.comment(" a\r\nb")) == ": ab\n\n")
        #expect(text(SSEFrame.retry(milliseconds: 2000)) == "retry: 2000\n\n")
    }
}

@Suite struct LastEventIDTests {
    @Test func absentOrEmptyMeansAFirstConnect() throws {
        #expect(try LastEventID.parse(header: nil, query: nil) == nil)
        #expect(try LastEventID.parse(header: "", query: "") == nil)
    }

    @Test func theHeaderWinsOverThePolyfillsQueryParameter() throws {
        #expect(try LastEventID.parse(header: "42", query: "7") == FlakeID(rawValue: 42))
        #expect(try LastEventID.parse(header: "", query: "7") == FlakeID(rawValue: 7))
        #expect(try LastEventID.parse(header: nil, query: "18446744073709551615") == FlakeID(rawValue: .max))
    }

    @Test func anythingButAFlakeIDIsRefused() {
        #expect(throws: LastEventID.Failure.tooLong) { try LastEventID.parse(header: String(repeating: "1", count: 21), query: nil) }
        #expect(throws: LastEventID.Failure.tooLong) { try LastEventID.parse(header: String(repeating: "9", count: 100_000), query: nil) }
        #expect(throws: LastEventID.Failure.notAnID) { try LastEventID.parse(header: "18446744073709551616", query: nil) }
        #expect(throws: LastEventID.Failure.notAnID) { try LastEventID.parse(header: "+12", query: nil) }
        #expect(throws: LastEventID.Failure.notAnID) { try LastEventID.parse(header: "12 ", query: nil) }
        #expect(throws: LastEventID.Failure.notAnID) { try LastEventID.parse(header: "١٢", query: nil) }
        #expect(throws: LastEventID.Failure.notAnID) { try LastEventID.parse(header: nil, query: "abc") }
    }
}
