import SocketIO
import Testing

@testable import Herald

@Suite struct ClientCommandTests {
    @Test func readsEachCommandFromItsObject() {
        #expect(parse(.subscribe, ["room": "chat"]) == .success(.subscribe(room: "chat")))
        #expect(parse(.unsubscribe, ["room": "chat"]) == .success(.unsubscribe(room: "chat")))
        #expect(parse(.rpc, ["method": "m", "params": [1, 2]]) == .success(.rpc(method: "m", params: [1, 2])))
        #expect(parse(.rpc, ["method": "m"]) == .success(.rpc(method: "m", params: .null)))
        #expect(
            parse(.publish, ["room": "r", "event": "e", "args": ["a", 1]])
                == .success(.publish(ClientPublication(room: "r", event: "e", arguments: ["a", 1])))
        )
    }

    @Test func aSingleArgumentIsOneArgumentAndNoneIsNone() {
        #expect(
            parse(.publish, ["room": "r", "event": "e", "args": "a"])
                == .success(.publish(ClientPublication(room: "r", event: "e", arguments: ["a"])))
        )
        #expect(
            parse(.publish, ["room": "r", "event": "e"]) == .success(.publish(ClientPublication(room: "r", event: "e", arguments: [])))
        )
    }

    @Test(arguments: [
        [JSONValue](),
        ["chat"],
        [["room": 1]],
        [["room": ""]],
        [["room": .string(String(repeating: "r", count: 257))]],
    ])
    func refusesWhatIsNotARoomObject(_ arguments: [JSONValue]) {
        guard case .failure(let failure) = ClientCommand.parse(.subscribe, arguments: arguments) else {
            Issue.record("accepted \(arguments)")
            return
        }
        #expect(failure.code == .invalidRequest)
    }

    @Test(arguments: ["_batch", "_settings", "connect", "disconnect", "connect_error", "newListener"])
    func reservedEventsCannotBePublished(_ event: String) {
        guard case .failure(let failure) = parse(.publish, ["room": "r", "event": .string(event)]) else {
            Issue.record("published \(event)")
            return
        }
        #expect(failure.code == .invalidRequest)
        #expect(failure.ack == ["error": .string("event \"\(event)\" is reserved"), "code": "invalid_request"])
    }

    private func parse(_ event: ClientCommand.Event, _ fields: JSONValue) -> Result<ClientCommand, CommandFailure> {
        ClientCommand.parse(event, arguments: [fields])
    }
}
