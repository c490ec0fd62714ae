import SocketIO
import Testing

@testable import Herald

@Suite struct EventServerMessagesTests {
    private let token = "0123456789abcdef"

    @Test func tokensShorterThanSixteenCharactersAndBlankLinesAreIgnored() {
        let tokens = EventTokens(fileContents: "short-token\n\n  \(token)  \r\n0123456789abcde\n")
        #expect(tokens.count == 1)
        #expect(tokens.authenticate("Basic \(token)") == .ok)
        #expect(tokens.authenticate("Basic short-token") == .unauthenticated)
        #expect(tokens.authenticate("Basic 0123456789abcde") == .unauthenticated)
    }

    @Test func credentialsAreCheckedAsTheOriginalDoes() {
        let tokens = EventTokens(fileContents: token)
        #expect(tokens.authenticate(nil) == .unauthenticated)
        #expect(tokens.authenticate("") == .unauthenticated)
        #expect(tokens.authenticate("Bearer \(token)") == .unrecognizedScheme)
        #expect(tokens.authenticate("basic \(token)") == .unrecognizedScheme)
        #expect(tokens.authenticate(token) == .unrecognizedScheme)
        #expect(tokens.authenticate("Basic") == .unauthenticated)
        #expect(tokens.authenticate("Basic ") == .unauthenticated)
        #expect(tokens.authenticate("Basic \(token)x") == .unauthenticated)
        #expect(tokens.authenticate("Basic \(token) trailing") == .ok)
    }

    @Test func initMessagesNeedJSONAndAnEventsArray() {
        #expect(ListenerInit.parse("non_json", maxEvents: 8) == .failure(.invalidSyntax))
        #expect(ListenerInit.parse(#"{"foo":"bar"}"#, maxEvents: 8) == .failure(.eventsMissing))
        #expect(ListenerInit.parse(#"{"events":"a"}"#, maxEvents: 8) == .failure(.eventsMissing))
        #expect(ListenerInit.parse(#"{"events":null}"#, maxEvents: 8) == .failure(.eventsMissing))
        #expect(ListenerInit.parse("[1]", maxEvents: 8) == .failure(.eventsMissing))
        let parsed = ListenerInit.parse(#"{"authentication":"Basic x","events":["a","b","a",3]}"#, maxEvents: 8)
        #expect(parsed == .success(ListenerInit(authentication: "Basic x", events: ["a", "b"])))
        #expect(ListenerInit.parse(#"{"events":[]}"#, maxEvents: 8) == .success(ListenerInit(authentication: nil, events: [])))
    }

    @Test func initMessagesNamingTooManyTypesAreRefusedWithoutACode() {
        let refused = ListenerInit.parse(#"{"events":["a","b","c"]}"#, maxEvents: 2)
        #expect(refused == .failure(.tooManyEvents))
        #expect(ListenerInit.Refusal.tooManyEvents.code == nil)
        #expect(ListenerInit.parse(#"{"events":["a","b","a"]}"#, maxEvents: 2) != .failure(.tooManyEvents))
    }

    @Test func firedEventsNeedAnObjectWithAStringEvent() {
        #expect(FiredEvent(body: "") == nil)
        #expect(FiredEvent(body: "nope") == nil)
        #expect(FiredEvent(body: #"["event"]"#) == nil)
        #expect(FiredEvent(body: #"{"data":1}"#) == nil)
        #expect(FiredEvent(body: #"{"event":5}"#) == nil)
        #expect(FiredEvent(body: #"{"event":"a"}"#) == FiredEvent(event: "a", data: nil))
        #expect(FiredEvent(body: #"{"event":"a","data":null}"#) == FiredEvent(event: "a", data: .null))
    }

    @Test func listenerMessagesKeepTheOriginalsShape() throws {
        let event = try #require(FiredEvent(body: #"{"event":"order \"1\"","data":{"n":[1,2.5,"x"]}}"#))
        #expect(event.listenerMessage == #"{"type":"event","event":"order \"1\"","data":{"n":[1,2.5,"x"]}}"#)
        #expect(FiredEvent(event: "a", data: nil).listenerMessage == #"{"type":"event","event":"a"}"#)
    }

    @Test func answersSpellTheOriginalsCodes() {
        #expect(EventServerCode.ok.responseBody == #"{"code":"OK"}"#)
        #expect(EventServerCode.unrecognizedScheme.initReply == #"{"type":"init","code":"AUTH_UNRECOGNIZED_SCHEME"}"#)
        #expect(EventServerCode.invalidBody.httpStatus == 400)
        #expect(EventServerCode.unauthenticated.httpStatus == 403)
        #expect(EventServerCode.unrecognizedScheme.httpStatus == 403)
    }
}
