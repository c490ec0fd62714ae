import Herald
import NIOConcurrencyHelpers
import NIOEmbedded
import Testing

@testable import HeraldServer

@Suite struct PlainAckLedgerTests {
    private let loop = EmbeddedEventLoop()

    private func outcomes() -> (NIOLockedValueBox<[String: Bool]>, (String) -> PlainAckLedger.Completion) {
        let box = NIOLockedValueBox<[String: Bool]>([:])
        return (box, { name in { acknowledged in box.withLockedValue { $0[name] = acknowledged } } })
    }

    private func ids(_ values: UInt64...) -> [FlakeID] {
        values.map(FlakeID.init(rawValue:))
    }

    @Test func anEntryCompletesOnceEveryIDOfItIsAcknowledged() {
        let ledger = PlainAckLedger(eventLoop: loop)
        let (seen, completion) = outcomes()
        ledger.expect(ids(1, 2, 3), timeout: .seconds(60), completion: completion("batch"))
        ledger.expect(ids(4), timeout: .seconds(60), completion: completion("live"))
        ledger.acknowledge(ids(1, 4, 99))
        #expect(seen.withLockedValue { $0 } == ["live": true])
        ledger.acknowledge(ids(2, 3))
        #expect(seen.withLockedValue { $0 } == ["live": true, "batch": true])
        #expect(ledger.count == 0)
    }

    @Test func oneAckCountsForEveryEntryWaitingForThatID() {
        let ledger = PlainAckLedger(eventLoop: loop)
        let (seen, completion) = outcomes()
        ledger.expect(ids(5), timeout: .seconds(60), completion: completion("first room"))
        ledger.expect(ids(5), timeout: .seconds(60), completion: completion("second room"))
        ledger.acknowledge(ids(5))
        #expect(seen.withLockedValue { $0 } == ["first room": true, "second room": true])
    }

    @Test func timeoutsAndTheConnectionsEndCompleteUnacknowledged() {
        let ledger = PlainAckLedger(eventLoop: loop)
        let (seen, completion) = outcomes()
        ledger.expect(ids(1), timeout: .seconds(1), completion: completion("short"))
        ledger.expect(ids(2), timeout: .seconds(60), completion: completion("long"))
        loop.advanceTime(by: .seconds(2))
        #expect(seen.withLockedValue { $0 } == ["short": false])
        ledger.acknowledge(ids(1))
        #expect(seen.withLockedValue { $0 } == ["short": false], "a late ack changes nothing")
        ledger.failAll()
        #expect(seen.withLockedValue { $0 } == ["short": false, "long": false])
        loop.advanceTime(by: .seconds(120))
        #expect(ledger.count == 0)
    }
}
