import Herald
import SocketIO
import Testing

@testable import HeraldRedis

@Suite struct ControlMessageTests {
    @Test(arguments: [
        ControlMessage.request(
            origin: "i1",
            id: "r1",
            .rpc(BackendRPC(site: "talk", target: .user("42"), event: "where", arguments: ["now", ["n": 1]], timeout: .milliseconds(1500)))
        ),
        .request(origin: "i2", id: "r2", .disconnect(site: "talk", target: .room("lobby"))),
        .request(origin: "i2", id: "r3", .disconnect(site: "talk", target: .socket("abc"))),
        .reply(
            id: "r1",
            .rpc(
                RPCCollection(
                    matched: 2,
                    answers: [RPCAnswer(socket: "s", deviceID: "phone", user: "42", answer: ["at": "home"])]
                )
            )
        ),
        .reply(id: "r2", .disconnected(3)),
        .request(origin: "i1", id: "r4", .inspect(.sites)),
        .request(origin: "i1", id: "r5", .inspect(.rooms(site: "talk"))),
        .request(origin: "i1", id: "r6", .inspect(.sockets(site: "talk", room: "#herald/reliable", limit: 50))),
        .reply(
            id: "r4",
            .inspected(
                instance: "i2",
                .sites([SiteSummary(name: "talk", socketsByTransport: ["polling": 1, "websocket": 2], messagesEmitted: 9)])
            )
        ),
        .reply(id: "r5", .inspected(instance: "i2", .rooms([RoomSummary(name: "lobby", members: 4)], truncated: true))),
        .reply(id: "r5", .inspected(instance: "i2", .rooms(nil, truncated: false))),
        .reply(
            id: "r6",
            .inspected(
                instance: "i2",
                .sockets(
                    [SocketSummary(instance: "i2", id: "s1", deviceID: nil, transport: "sse", connectedSince: 1_700_000_000_000)],
                    truncated: false
                )
            )
        ),
    ])
    func survivesTheTripThroughRedis(_ message: ControlMessage) {
        #expect(ControlMessage.decode(message.encoded()) == message)
    }

    @Test(arguments: [
        "", "{}", "[]", #"{"i":"x"}"#,
        #"{"i":"x","o":"i1","c":{"k":"inspect","q":{"q":"sockets","s":"t","r":"r","n":100000}}}"#,
        #"{"i":"x","o":"i1","c":{"k":"rpc","s":"t","tg":{"user":"1"},"e":"e","a":[],"ms":0}}"#,
    ])
    func ignoresWhatItCannotRead(_ text: String) {
        #expect(ControlMessage.decode(text) == nil)
    }
}
