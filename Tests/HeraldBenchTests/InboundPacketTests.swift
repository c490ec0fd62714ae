import Testing

@testable import herald_bench

/// The bench must recognise every packet that moves a connection forward and read `seq` and `t` exactly, or its
/// delivery accounting would report losses that did not happen.
@Suite struct InboundPacketTests {
    private func decode(_ text: String) -> InboundPacket {
        Array(text.utf8).withUnsafeBytes { InboundPacket($0) }
    }

    @Test func handshakePackets() {
        #expect(decode("0{\"sid\":\"abc\",\"pingInterval\":25000}") == .open)
        #expect(decode("2") == .ping)
        #expect(decode("40/bench,{\"sid\":\"x\"}") == .connected)
        #expect(decode("41/bench,") == .disconnected)
        #expect(decode("44/bench,{\"message\":\"Authentication failed\"}") == .connectError("{\"message\":\"Authentication failed\"}"))
    }

    @Test func eventWithSequenceAndTimestamp() {
        #expect(
            decode("42/bench,[\"bench\",{\"seq\":17,\"t\":1764000000123456,\"pad\":\"xx\"}]")
                == .event(name: "bench", ackID: nil, stamps: [Stamp(seq: 17, sentMicros: 1_764_000_000_123_456)])
        )
    }

    @Test func timestampIsFoundWhateverTheKeyOrder() {
        #expect(
            decode("42/bench,[\"bench\",{\"pad\":\"xx\",\"t\":77,\"seq\":1}]")
                == .event(name: "bench", ackID: nil, stamps: [Stamp(seq: 1, sentMicros: 77)])
        )
    }

    @Test func eventWithAckID() {
        #expect(
            decode("42/bench,305[\"bench\",{\"seq\":0,\"t\":5}]")
                == .event(name: "bench", ackID: 305, stamps: [Stamp(seq: 0, sentMicros: 5)])
        )
    }

    @Test func batchCarriesEveryQueuedStamp() {
        #expect(
            decode("42/bench,9[\"_batch\",[[\"bench\",{\"seq\":3,\"t\":30}],[\"bench\",{\"seq\":4,\"t\":40}]]]")
                == .event(name: "_batch", ackID: 9, stamps: [Stamp(seq: 3, sentMicros: 30), Stamp(seq: 4, sentMicros: 40)])
        )
    }

    @Test func eventOfAnotherNameHasNoSequence() {
        #expect(
            decode("42/bench,[\"_settings\",{\"device_ttl\":3600}]") == .event(name: "_settings", ackID: nil, stamps: [])
        )
    }

    @Test func socketIOClientConnectsAnswersPingsAndAcks() {
        let identity = ClientIdentity(index: 0, site: "bench", token: "t", deviceID: "d", hostHeader: "h", event: "bench")
        func reaction(_ text: String) -> ClientReaction {
            Array(text.utf8).withUnsafeBytes { SocketIODialect.reaction(to: $0, identity: identity) }
        }
        #expect(reaction("0{\"sid\":\"abc\"}") == .reply(Array("40/bench,".utf8)))
        #expect(reaction("2") == .reply(Array("3".utf8)))
        #expect(reaction("40/bench,{\"sid\":\"x\"}") == .joined)
        #expect(reaction("41/bench,") == .ended)
        #expect(
            reaction("42/bench,7[\"bench\",{\"seq\":1,\"t\":2}]")
                == .received(Delivery(stamps: [Stamp(seq: 1, sentMicros: 2)], batch: false), ack: Array("43/bench,7[]".utf8))
        )
        #expect(reaction("42/bench,[\"_settings\",{}]") == .received(nil, ack: nil))
    }
}
