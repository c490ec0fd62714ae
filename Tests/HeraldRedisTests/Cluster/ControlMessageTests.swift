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
    ])
    func survivesTheTripThroughRedis(_ message: ControlMessage) {
        #expect(ControlMessage.decode(message.encoded()) == message)
    }

    @Test(arguments: [
        "", "{}", "[]", #"{"i":"x"}"#, #"{"i":"x","o":"i1","c":{"k":"rpc","s":"t","tg":{"user":"1"},"e":"e","a":[],"ms":0}}"#,
    ])
    func ignoresWhatItCannotRead(_ text: String) {
        #expect(ControlMessage.decode(text) == nil)
    }
}
