import Testing

@testable import herald_bench

/// A plain WebSocket JSON client must join at `settings`, read `seq` and `t` exactly, and acknowledge exactly the IDs
/// Herald asks for, or a fan-out would count losses that did not happen and a reliable run would see redeliveries.
@Suite struct PlainMessageTests {
    private func decode(_ text: String) -> PlainMessage {
        Array(text.utf8).withUnsafeBytes { PlainMessage($0) }
    }

    private func reaction(_ text: String) -> ClientReaction {
        let identity = ClientIdentity(index: 0, site: "bench", token: "t", deviceID: "d", hostHeader: "h", event: "bench")
        return Array(text.utf8).withUnsafeBytes { PlainJSONDialect.reaction(to: $0, identity: identity) }
    }

    @Test func settingsAdmitsTheClient() {
        #expect(decode(#"{"type":"settings","device_ttl":3600}"#) == .settings)
        #expect(reaction(#"{"type":"settings"}"#) == .joined)
    }

    @Test func eventWithSequenceAndTimestamp() {
        #expect(
            decode(#"{"type":"event","event":"bench","args":[{"seq":17,"t":1764000000123456,"pad":"xx"}]}"#)
                == .event(name: "bench", id: nil, stamps: [Stamp(seq: 17, sentMicros: 1_764_000_000_123_456)])
        )
    }

    @Test func storedEventCarriesItsIDAndIsAcknowledged() {
        let text = #"{"type":"event","event":"bench","args":[{"seq":2,"t":9}],"id":"7534898532931600384"}"#
        #expect(decode(text) == .event(name: "bench", id: "7534898532931600384", stamps: [Stamp(seq: 2, sentMicros: 9)]))
        #expect(
            reaction(text)
                == .received(
                    Delivery(stamps: [Stamp(seq: 2, sentMicros: 9)], batch: false),
                    ack: Array(#"{"type":"ack","id":"7534898532931600384"}"#.utf8)
                )
        )
    }

    @Test func anIDInsideTheArgumentsIsNotTheMessageID() {
        #expect(
            decode(#"{"type":"event","event":"bench","args":[{"seq":1,"t":2,"id":"5"}]}"#)
                == .event(name: "bench", id: nil, stamps: [Stamp(seq: 1, sentMicros: 2)])
        )
    }

    @Test func batchCarriesEveryStampAndIsAcknowledgedWhole() {
        let text =
            #"{"type":"batch","messages":[{"event":"bench","args":[{"seq":3,"t":30}],"id":"11"},"#
            + #"{"event":"bench","args":[{"seq":4,"t":40}],"id":"12"}]}"#
        let stamps = [Stamp(seq: 3, sentMicros: 30), Stamp(seq: 4, sentMicros: 40)]
        #expect(decode(text) == .batch(ids: ["11", "12"], stamps: stamps))
        #expect(
            reaction(text) == .received(Delivery(stamps: stamps, batch: true), ack: Array(#"{"type":"ack","ids":["11","12"]}"#.utf8))
        )
    }

    @Test func otherEventsAreAcknowledgedButNotCounted() {
        #expect(
            reaction(#"{"type":"event","event":"news","args":[{"seq":1}],"id":"8"}"#)
                == .received(nil, ack: Array(#"{"type":"ack","id":"8"}"#.utf8))
        )
        #expect(reaction(#"{"type":"event","event":"news","args":[]}"#) == .received(nil, ack: nil))
    }

    @Test func errorIsARefusalWithCodeAndMessage() {
        #expect(
            decode(#"{"type":"error","code":"UNAUTHORIZED","message":"Authentication failed"}"#)
                == .error("UNAUTHORIZED: Authentication failed")
        )
        #expect(reaction(#"{"type":"error","code":"LIMIT_REACHED","message":"x"}"#) == .refused("LIMIT_REACHED: x"))
    }

    @Test func messagesTheBenchDoesNotUse() {
        #expect(decode(#"{"type":"pong"}"#) == .other)
        #expect(decode(#"{"type":"resync"}"#) == .other)
        #expect(decode("not json") == .other)
        #expect(decode("") == .other)
    }
}
