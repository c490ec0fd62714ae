import NIOCore
import SocketIO
import Testing

@testable import Herald

@Suite struct SendRequestParserTests {
    private func parse(_ body: String, contentType: String?, resync: String? = nil) throws(SendRequestError) -> SendRequest {
        let buffer = ByteBuffer(string: body)
        let format = SendRequestParser.format(contentType: contentType, body: buffer)
        return try SendRequestParser.parse(buffer, format: format, resyncQuery: resync)
    }

    @Test func jsonBodyGivesRoomsEventAndArguments() throws {
        let request = try parse(
            #"{"rooms":["a","b"],"event":"news","args":[{"text":"hi"},2]}"#,
            contentType: "application/json; charset=utf-8"
        )
        #expect(request == SendRequest(rooms: ["a", "b"], event: "news", arguments: [["text": "hi"], 2]))
    }

    @Test func jsonArgumentsAreKeptAsTheBackendWroteThem() throws {
        let request = try parse(
            #"{"rooms": ["a"], "event": "news", "args": [ {"b": 1, "a": [1.0, 1e3]} , 12345678901234567890 ]}"#,
            contentType: "application/json"
        )
        #expect(JSONValue.array(request.arguments).jsonString == #"[{"b":1,"a":[1.0,1e3]},12345678901234567890]"#)
        let batch = try SendRequestParser.parseBody(
            ByteBuffer(string: #"[{"rooms":["a"],"event":"e","args":[{"z":0,"y":-0.0}]}]"#),
            format: .json,
            resyncQuery: nil
        )
        guard case .batch(let items) = batch else { throw SendRequestError("not a batch") }
        #expect(JSONValue.array(try items[0].get().arguments).jsonString == #"[{"z":0,"y":-0.0}]"#)
    }

    @Test func jQueryFormBodyNestsArgumentsAsTheNodeServiceRead() throws {
        let request = try parse(
            "rooms%5B%5D=user_1&rooms%5B%5D=news&event=message&args%5B0%5D%5Btext%5D=hello+world&args%5B0%5D%5Bn%5D=3",
            contentType: "application/x-www-form-urlencoded"
        )
        #expect(request.rooms == ["user_1", "news"])
        #expect(request.event == "message")
        #expect(request.arguments == [["text": "hello world", "n": "3"]])
    }

    @Test func repeatedFormNamesAndIndexedNamesBecomeLists() throws {
        let repeated = try parse("rooms=a&rooms=b&event=e&args[]=x&args[]=y", contentType: nil)
        #expect(repeated.rooms == ["a", "b"])
        #expect(repeated.arguments == ["x", "y"])
        let indexed = try parse("rooms[1]=second&rooms[0]=first&rooms[10]=last&event=e", contentType: nil)
        #expect(indexed.rooms == ["first", "second", "last"])
    }

    @Test func singleRoomStringIsAccepted() throws {
        #expect(try parse(#"{"rooms":"solo","event":"e"}"#, contentType: nil).rooms == ["solo"])
    }

    @Test func resyncComesFromQueryOrBody() throws {
        #expect(try parse(#"{"rooms":["a"],"event":"e"}"#, contentType: nil, resync: "true").resync)
        #expect(try parse(#"{"rooms":["a"],"event":"e","resync":true}"#, contentType: nil).resync)
        #expect(try !parse(#"{"rooms":["a"],"event":"e"}"#, contentType: nil).resync)
    }

    @Test(arguments: [
        (#"{"rooms":["a"],"event":"e""#, "Invalid JSON body"),
        (#"["a"]"#, "Body must be an object"),
        (#"{"event":"e"}"#, "Missing 'rooms'"),
        (#"{"rooms":[],"event":"e"}"#, "'rooms' must not be empty"),
        (#"{"rooms":[1.5],"event":"e"}"#, "'rooms' must be a list"),
        (#"{"rooms":["a"]}"#, "Missing 'event'"),
        (#"{"rooms":["a"],"event":""}"#, "'event' must not be empty"),
        (#"{"rooms":["a"],"event":"e","args":{"x":1}}"#, "'args' must be a list"),
    ])
    func malformedBodiesAreRefusedWithAReason(body: String, reason: String) {
        #expect {
            _ = try parse(body, contentType: "application/json")
        } throws: { error in
            (error as? SendRequestError)?.reason.hasPrefix(reason) == true
        }
    }

    @Test func formArgsThatAreNotAListAreRefused() {
        #expect(throws: SendRequestError("'args' must be a list")) {
            _ = try parse("rooms=a&event=e&args[x]=1&args[x][y]=2", contentType: "application/x-www-form-urlencoded")
        }
    }

    @Test func contentTypeIsGuessedFromTheBodyWhenMissing() {
        #expect(SendRequestParser.format(contentType: nil, body: ByteBuffer(string: " {\"a\":1}")) == .json)
        #expect(SendRequestParser.format(contentType: "text/plain", body: ByteBuffer(string: "a=1")) == .form)
    }
}

@Suite struct SendBodyParserTests {
    private func parseBody(_ body: String, limit: Int = SendRequestParser.maxBatchSize, resync: String? = nil) throws(SendBodyError)
        -> SendBody
    {
        let buffer = ByteBuffer(string: body)
        let format = SendRequestParser.format(contentType: nil, body: buffer)
        return try SendRequestParser.parseBody(buffer, format: format, resyncQuery: resync, maxBatchSize: limit)
    }

    @Test func objectBodyIsOneMessage() throws {
        #expect(try parseBody(#"{"rooms":["a"],"event":"e"}"#) == .single(SendRequest(rooms: ["a"], event: "e")))
        #expect(try parseBody("rooms=a&event=e") == .single(SendRequest(rooms: ["a"], event: "e")))
    }

    @Test func arrayBodyIsABatchWhereEachBadItemHasItsOwnError() throws {
        let body = try parseBody(#" [{"rooms":["a"],"event":"one"}, {"rooms":["a"]}, 7, {"rooms":"b","event":"two","resync":true}]"#)
        guard case .batch(let items) = body else {
            Issue.record("not a batch: \(body)")
            return
        }
        #expect(body.messageCount == 4)
        #expect(items[0] == .success(SendRequest(rooms: ["a"], event: "one")))
        #expect(items[1] == .failure(SendRequestError("Missing 'event'")))
        #expect(items[2] == .failure(SendRequestError("Body must be an object with 'rooms', 'event' and 'args'")))
        #expect(items[3] == .success(SendRequest(rooms: ["b"], event: "two", resync: true)))
    }

    @Test func resyncQueryAppliesToEveryItem() throws {
        guard case .batch(let items) = try parseBody(#"[{"rooms":["a"],"event":"e"},{"rooms":["b"],"event":"e"}]"#, resync: "true")
        else {
            Issue.record("not a batch")
            return
        }
        #expect(items.allSatisfy { (try? $0.get().resync) == true })
    }

    @Test func emptyArrayIsRefused() {
        #expect(throws: SendBodyError.invalid(SendRequestError("An array body must hold at least one message"))) {
            _ = try parseBody("[]")
        }
    }

    @Test func arrayOverTheLimitIsRefusedAsAWhole() throws {
        let item = #"{"rooms":["a"],"event":"e"}"#
        #expect(throws: SendBodyError.tooManyMessages(count: 4, limit: 3)) {
            _ = try parseBody("[" + Array(repeating: item, count: 4).joined(separator: ",") + "]", limit: 3)
        }
        #expect(try parseBody("[" + Array(repeating: item, count: 3).joined(separator: ",") + "]", limit: 3).messageCount == 3)
    }

    @Test func unreadableJSONIsRefusedAsAWhole() {
        #expect {
            _ = try parseBody(#"[{"rooms":["a"],"event":"e"}"#)
        } throws: { error in
            (error as? SendBodyError)?.reason.hasPrefix("Invalid JSON body") == true
        }
    }
}
