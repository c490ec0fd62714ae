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

    @Test func formFieldThatIsBothValueAndGroupIsRefused() {
        #expect(throws: SendRequestError.self) {
            _ = try parse("rooms=a&event=e&args[x]=1&args[x][y]=2", contentType: "application/x-www-form-urlencoded")
        }
    }

    @Test func tooDeeplyNestedFormFieldIsRefused() {
        #expect(throws: SendRequestError.self) {
            _ = try parse("rooms=a&event=e&args[0][a][b][c][d][e]=1", contentType: "application/x-www-form-urlencoded")
        }
    }

    @Test func contentTypeIsGuessedFromTheBodyWhenMissing() {
        #expect(SendRequestParser.format(contentType: nil, body: ByteBuffer(string: " {\"a\":1}")) == .json)
        #expect(SendRequestParser.format(contentType: "text/plain", body: ByteBuffer(string: "a=1")) == .form)
    }
}
