import SocketIO
import Testing

@testable import Herald

@Suite struct ControlRequestParserTests {
    private let site = Site(name: "talk", authentication: .tokens([:]), apiKey: "k", userRoomPrefix: "user_")

    @Test func readsAnRPC() {
        let body: JSONValue = ["user": 42, "event": "where", "args": ["now"], "timeoutMs": 250]
        #expect(
            ControlRequestParser.rpc(body, site: site)
                == .success(BackendRPC(site: "talk", target: .user("42"), event: "where", arguments: ["now"], timeout: .milliseconds(250)))
        )
        let defaults = ControlRequestParser.rpc(["room": "r", "event": "e"], site: site)
        #expect(defaults == .success(BackendRPC(site: "talk", target: .room("r"), event: "e", arguments: [], timeout: .seconds(5))))
    }

    @Test(
        arguments: [
            ["event": "e"],
            ["user": "a", "socket": "b", "event": "e"],
            ["user": "a"],
            ["user": "", "event": "e"],
            ["room": 5, "event": "e"],
            ["user": "a", "event": "_batch"],
            ["user": "a", "event": "disconnect"],
            ["user": "a", "event": "e", "timeoutMs": 0],
            ["user": "a", "event": "e", "timeoutMs": 60_001],
            ["user": "a", "event": "e", "timeoutMs": 1.5],
            [1, 2],
        ] as [JSONValue]
    )
    func refusesBodiesThatDoNotSayWhatToCall(_ body: JSONValue) {
        guard case .failure(let error) = ControlRequestParser.rpc(body, site: site) else {
            Issue.record("accepted \(body)")
            return
        }
        #expect(!error.reason.isEmpty)
    }

    @Test func aUserTargetNeedsUserRooms() {
        var plain = site
        plain.userRoomPrefix = nil
        #expect((try? ControlRequestParser.target(["user": "a"], site: plain).get()) == nil)
        #expect(ControlRequestParser.target(["socket": "s"], site: plain) == .success(.socket("s")))
    }

    @Test func userRoomsOfAUserFollowTheNamingTheGatewayReads() {
        #expect(UserRoomNaming(prefix: "user_").rooms(of: "7") == ["user_7"])
        #expect(UserRoomNaming(prefix: "user").rooms(of: "7") == ["user7", "user_7"])
    }
}
