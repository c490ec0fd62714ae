import Testing

@testable import Herald

@Suite struct RoomsTests {
    @Test func userIDIsWhatFollowsThePrefixAndItsUnderscore() {
        #expect(UserRoomNaming(prefix: "user_").userID(of: "user_42") == "42")
        #expect(UserRoomNaming(prefix: "user").userID(of: "user_42") == "42")
        #expect(UserRoomNaming(prefix: "user_").userID(of: "news") == nil)
        #expect(UserRoomNaming(prefix: "user_").userID(of: "user_") == nil)
    }

    @Test func directoryExpandsSharedRoomsCaseInsensitivelyWhileSocketsHoldThem() {
        let directory = RoomDirectory()
        directory.register(site: "s", userRooms: ["user_1"], sharedRooms: ["News"])
        directory.register(site: "s", userRooms: ["user_1"], sharedRooms: ["news"])
        directory.register(site: "s", userRooms: ["user_2"], sharedRooms: ["news", "sports"])
        directory.register(site: "other", userRooms: ["user_9"], sharedRooms: ["news"])
        #expect(directory.userRooms(site: "s", sharedRoom: "NEWS") == ["user_1", "user_2"])
        directory.unregister(site: "s", userRooms: ["user_1"], sharedRooms: ["News"])
        #expect(directory.userRooms(site: "s", sharedRoom: "news") == ["user_1", "user_2"])
        directory.unregister(site: "s", userRooms: ["user_1"], sharedRooms: ["news"])
        #expect(directory.userRooms(site: "s", sharedRoom: "news") == ["user_2"])
        #expect(directory.userRooms(site: "s", sharedRoom: "sports") == ["user_2"])
        #expect(directory.userRooms(site: "other", sharedRoom: "news") == ["user_9"])
    }

    @Test func expansionAddsUserRoomsOfSharedRoomsOnly() {
        let expansion = RoomExpansion(naming: UserRoomNaming(prefix: "user_")) { room in
            room.lowercased() == "news" ? ["user_1", "user_2"] : []
        }
        #expect(expansion.targets(for: ["News", "user_3"]) == ["News", "user_1", "user_2", "user_3"])
        let plain = RoomExpansion(naming: nil) { _ in ["user_1"] }
        #expect(plain.targets(for: ["News"]) == ["News"])
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
