import SocketIO
import Testing

@testable import Herald

@Suite struct PlainWebSocketMessagesTests {
    private func parse(_ text: String) throws(PlainClientMessage.Invalid) -> PlainClientMessage {
        try PlainClientMessage.parse(text, maxIDs: 3)
    }

    @Test func clientMessagesAreRead() throws {
        #expect(try parse(#"{"type":"auth","token":"t-1","deviceId":"d"}"#) == .authenticate(token: "t-1", deviceID: "d"))
        #expect(try parse(#"{"type":"auth","token":"t-1","deviceId":""}"#) == .authenticate(token: "t-1", deviceID: nil))
        #expect(try parse(#"{"type":"ack","id":"12"}"#) == .acknowledge([FlakeID(rawValue: 12)]))
        #expect(try parse(#"{"type":"ack","id":12}"#) == .acknowledge([FlakeID(rawValue: 12)]))
        #expect(try parse(#"{"type":"ack","ids":["1","2"]}"#) == .acknowledge([FlakeID(rawValue: 1), FlakeID(rawValue: 2)]))
        #expect(try parse(#"{"type":"ping","extra":true}"#) == .ping)
        #expect(try parse(#"{"type":"subscribe","room":"r","ref":4}"#) == .request(event: "_subscribe", fields: ["room": "r"], ref: 4))
        #expect(try parse(#"{"type":"rpc","method":"m"}"#) == .request(event: "_rpc", fields: ["method": "m"], ref: nil))
        #expect(try parse(#"{"type":"refresh","token":"t","ref":0}"#) == .request(event: "_refresh", fields: ["token": "t"], ref: 0))
        #expect(try parse(#"{"type":"reply","ref":2147483647,"data":[1]}"#) == .reply(ref: 2_147_483_647, data: [1]))
        #expect(try parse(#"{"type":"reply","ref":3}"#) == .reply(ref: 3, data: .null))
    }

    @Test func everyBadMessageSaysWhatIsWrong() {
        let cases: [(String, String)] = [
            ("nope", "a message is a JSON object"),
            ("[]", "a message is a JSON object"),
            (#"{"token":"t"}"#, #"a message has a string "type""#),
            (#"{"type":"auth"}"#, #""auth" has a non-empty string "token""#),
            (#"{"type":"auth","token":"t","deviceId":5}"#, #""deviceId" is a string"#),
            (#"{"type":"ack","id":"1","ids":["2"]}"#, #""ack" has either "id" or an array "ids""#),
            (#"{"type":"ack","ids":["1","2","3","4"]}"#, "an ack names at most 3 IDs"),
            (#"{"type":"ack","id":"-1"}"#, "a message ID is a decimal string"),
            (#"{"type":"ack","id":-1}"#, "a message ID is a decimal string"),
            (#"{"type":"ack","id":"99999999999999999999"}"#, "a message ID is a decimal string"),
            (#"{"type":"hello"}"#, #"unknown message type "hello""#),
            (#"{"type":"reply","data":1}"#, #""reply" has a "ref""#),
            (#"{"type":"rpc","ref":-1}"#, #"a "ref" is a whole number from 0 to 2147483647"#),
            (#"{"type":"publish","ref":2147483648}"#, #"a "ref" is a whole number from 0 to 2147483647"#),
            (#"{"type":"subscribe","ref":"1"}"#, #"a "ref" is a whole number from 0 to 2147483647"#),
        ]
        for (text, reason) in cases {
            #expect(throws: PlainClientMessage.Invalid(reason), "\(text)") { try parse(text) }
        }
    }

    @Test func serverMessagesAreJSONWithTheirTypeFirst() throws {
        let id = FlakeID(rawValue: 7_534_898_532_931_600_384)
        let event = PlainServerMessage.event(name: "a\"b\n", arguments: [1, ["k": "v"]], id: id).text
        #expect(event == #"{"type":"event","event":"a\"b\n","args":[1,{"k":"v"}],"id":"7534898532931600384"}"#)
        #expect(PlainServerMessage.event(name: "n", arguments: [], id: nil).text == #"{"type":"event","event":"n","args":[]}"#)
        let batch = PlainServerMessage.batch([StoredMessage(id: id, event: "e", arguments: ["x"])]).text
        #expect(batch == #"{"type":"batch","messages":[{"event":"e","args":["x"],"id":"7534898532931600384"}]}"#)
        #expect(PlainServerMessage.settings(["device_ttl": 60, "type": "spoof"]).text == #"{"type":"settings","device_ttl":60}"#)
        #expect(PlainServerMessage.resync(event: nil).text == #"{"type":"resync"}"#)
        #expect(
            PlainServerMessage.call(name: "where", arguments: ["now"], ref: 5).text
                == #"{"type":"call","event":"where","args":["now"],"ref":5}"#
        )
        #expect(PlainServerMessage.reply(ref: 5, data: ["ok": true]).text == #"{"type":"reply","ref":5,"data":{"ok":true}}"#)
        #expect(PlainServerMessage.resync(event: "reload").text == #"{"type":"resync","event":"reload"}"#)
        #expect(
            PlainServerMessage.error(.unauthorized, message: "Authentication failed").text
                == #"{"type":"error","code":"UNAUTHORIZED","message":"Authentication failed"}"#
        )
    }

    @Test func closeCodesAreDistinctApplicationCodes() {
        let codes = PlainCloseReason.allCases.map(\.closeCode)
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { (4000...4999).contains($0) })
        #expect(Set(PlainCloseReason.allCases.map(\.code)).count == codes.count)
    }

    @Test func everyRefusalOfTheGatewayHasAReason() {
        #expect(PlainCloseReason(.unknownSite) == .unknownSite)
        #expect(PlainCloseReason(.tooManyDevices) == .limitReached)
        #expect(RefusalCode(ConnectError("x", code: "CONNECTION_LIMIT")) == .connectionLimit)
        #expect(RefusalCode(ConnectError("x")) == nil)
        #expect(RefusalCode(AuthenticationError.unexpectedStatus(403)) == .unauthorized)
        #expect(RefusalCode(AuthenticationError.unexpectedStatus(502)) == .authUnavailable)
        #expect(RefusalCode(AuthenticationError.timedOut) == .authUnavailable)
    }
}
