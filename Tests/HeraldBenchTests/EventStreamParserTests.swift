import NIOCore
import Testing

@testable import herald_bench

/// The event-stream client must read Herald's stream however the reads cut it (the WHATWG line and field rules),
/// skip its heartbeats, and undo chunked transfer encoding, or it would miss or invent deliveries.
@Suite struct EventStreamParserTests {
    /// What Herald sends an admitted client, then two bench events (the second stored, with its ID) around a
    /// heartbeat.
    private static let heraldStream =
        "retry: 2000\n\n"
        + "event: settings\ndata: [{\"device_ttl\":3600}]\n\n"
        + "event: bench\ndata: [{\"seq\":0,\"t\":100,\"pad\":\"xx\"}]\n\n"
        + ": heartbeat\n\n"
        + "id: 7534898532931600384\nevent: bench\ndata: [{\"t\":201,\"seq\":1}]\n\n"

    private static let heraldEvents = [
        ServerSentEvent(type: "settings", data: Array(#"[{"device_ttl":3600}]"#.utf8), lastEventID: nil),
        ServerSentEvent(type: "bench", data: Array(#"[{"seq":0,"t":100,"pad":"xx"}]"#.utf8), lastEventID: nil),
        ServerSentEvent(type: "bench", data: Array(#"[{"t":201,"seq":1}]"#.utf8), lastEventID: "7534898532931600384"),
    ]

    private func events(_ pieces: [String]) -> [ServerSentEvent] {
        var parser = EventStreamParser()
        var found: [ServerSentEvent] = []
        for piece in pieces {
            var bytes = ByteBuffer(string: piece)
            parser.append(&bytes)
            while let event = parser.next() { found.append(event) }
        }
        return found
    }

    @Test func heraldsStreamInOneRead() {
        #expect(events([Self.heraldStream]) == Self.heraldEvents)
    }

    @Test func heraldsStreamOneByteAtATime() {
        #expect(events(Self.heraldStream.map { String($0) }) == Self.heraldEvents)
    }

    @Test func everyLineEndWithCRLFCutBetweenReads() {
        let stream = "event: bench\r\ndata: a\r\n\r\nevent: x\rdata: b\r\r"
        let expected = [
            ServerSentEvent(type: "bench", data: Array("a".utf8), lastEventID: nil),
            ServerSentEvent(type: "x", data: Array("b".utf8), lastEventID: nil),
        ]
        #expect(events([stream]) == expected)
        #expect(events(["event: bench\r", "\ndata: a\r", "\n\r", "\nevent: x\rdata: b\r\r"]) == expected)
    }

    @Test func dataLinesJoinWithLineFeedsAndTheDefaultTypeIsMessage() {
        #expect(
            events(["data: one\ndata:two\ndata\n\n"]) == [
                ServerSentEvent(type: "message", data: Array("one\ntwo\n".utf8), lastEventID: nil)
            ]
        )
    }

    @Test func anEventWithoutDataIsNotDispatchedAndItsTypeIsForgotten() {
        #expect(events(["event: bench\n\ndata: x\n\n"]) == [ServerSentEvent(type: "message", data: Array("x".utf8), lastEventID: nil)])
    }

    @Test func theLastEventIDPersistsAndAnIDWithNULIsIgnored() {
        let found = events(["id: 5\ndata: a\n\nid: 6\u{0}\ndata: b\n\n"])
        #expect(found.map(\.lastEventID) == ["5", "5"])
    }

    @Test func anUnfinishedEventWaitsForItsBlankLine() {
        #expect(events(["event: bench\ndata: [1]\n"]).isEmpty)
    }

    @Test func chunkedBodyCutAnywhere() throws {
        let body = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
        for cut in 0...body.utf8.count {
            var decoder = ChunkedBodyDecoder()
            var output = ByteBuffer()
            for piece in [String(body.prefix(cut)), String(body.dropFirst(cut))] {
                var input = ByteBuffer(string: piece)
                try decoder.decode(&input, into: &output)
            }
            #expect(String(buffer: output) == "hello, world")
            #expect(decoder.isFinished)
        }
    }

    @Test func chunkedBodyWithBadSizeOrEndIsMalformed() {
        for body in ["zz\r\n", "3\r\nabcXY"] {
            var decoder = ChunkedBodyDecoder()
            var output = ByteBuffer()
            var input = ByteBuffer(string: body)
            #expect(throws: ChunkedBodyDecoder.Malformed.self) { try decoder.decode(&input, into: &output) }
        }
    }

    @Test func responseHeadReadsStatusAndFields() throws {
        var bytes = ByteBuffer(
            string: "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding:  chunked \r\n\r\nrest"
        )
        let head = try #require(ResponseHead.read(from: &bytes))
        #expect(head.status == 200)
        #expect(head.statusLine == "HTTP/1.1 200 OK")
        #expect(head.field("content-type") == "text/event-stream")
        #expect(head.field("transfer-encoding") == "chunked")
        #expect(String(buffer: bytes) == "rest")
        var partial = ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\n")
        #expect(ResponseHead.read(from: &partial) == nil)
        #expect(partial.readableBytes == 34)
    }
}
