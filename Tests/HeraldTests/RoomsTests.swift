import Testing

@testable import Herald

@Suite struct RoomsTests {
    @Test func userIDIsWhatFollowsThePrefixAndItsUnderscore() {
        #expect(UserRoomNaming(prefix: "user_").userID(of: "user_42") == "42")
        #expect(UserRoomNaming(prefix: "user").userID(of: "user_42") == "42")
        #expect(UserRoomNaming(prefix: "user_").userID(of: "news") == nil)
        #expect(UserRoomNaming(prefix: "user_").userID(of: "user_") == nil)
    }

    @Test func apiKeyComparisonAcceptsOnlyTheExactKey() {
        let site = Site(name: "s", authentication: .tokens([:]), apiKey: "correct-key")
        #expect(site.accepts(apiKey: "correct-key"))
        #expect(!site.accepts(apiKey: "correct-kez"))
        #expect(!site.accepts(apiKey: "correct-key-longer"))
        #expect(!site.accepts(apiKey: "correct"))
        #expect(!site.accepts(apiKey: ""))
    }
}
