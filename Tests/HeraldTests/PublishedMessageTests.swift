import Herald
import SocketIO
import Testing

@Suite struct PublishedMessageTests {
    private func read(_ text: String) throws(SendRequestError) -> PublishedMessage {
        try PublishedMessage(payload: Array(text.utf8))
    }

    @Test func documentedFieldsGiveTheSiteAndTheSendRequest() throws {
        let message = try read(#"{"site":"shop","rooms":["user_1","news"],"event":"news","args":[{"n":1}],"resync":true}"#)
        #expect(message.site == "shop")
        #expect(message.request == SendRequest(rooms: ["user_1", "news"], event: "news", arguments: [["n": 1]], resync: true))
    }

    @Test(arguments: [
        ("not json", "Invalid JSON"),
        (#"["shop"]"#, "Message must be a JSON object"),
        (#"{"rooms":["a"],"event":"e"}"#, "Missing 'site'"),
        (#"{"site":"","rooms":["a"],"event":"e"}"#, "Missing 'site'"),
        (#"{"site":"shop","event":"e"}"#, "Missing 'rooms'"),
        (#"{"site":"shop","rooms":["a"],"event":"e","args":3}"#, "'args' must be a list"),
    ])
    func badPayloadsAreRefusedWithAReason(payload: String, reason: String) {
        #expect {
            _ = try read(payload)
        } throws: { error in
            (error as? SendRequestError)?.reason.hasPrefix(reason) == true
        }
    }
}
