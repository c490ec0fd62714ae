import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import SocketIO

@Suite struct PendingAcksTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func anAnsweredAckIsHandedOverOnceAndNeverExpires() {
        var acks = PendingAcks()
        let outcomes = NIOLockedValueBox<[Result<[JSONValue], AckError>]>([])
        let sweepAt = acks.add(1, deadline: start + .seconds(5)) { result in outcomes.withLockedValue { $0.append(result) } }
        #expect(sweepAt == start + .seconds(5), "the first ack needs a sweep at its deadline")
        acks.complete(1)?(.success(["ok"]))
        #expect(acks.complete(1) == nil, "a second ack with the same ID finds nothing")
        let swept = acks.sweep(now: start + .seconds(6))
        #expect(swept.expired.isEmpty && swept.next == nil)
        #expect(outcomes.withLockedValue { $0 } == [.success(["ok"])])
    }

    @Test func oneSweepExpiresEveryAckPastItsDeadlineAndAsksForTheNext() {
        var acks = PendingAcks()
        let expired = NIOLockedValueBox<[Int]>([])
        func record(_ id: Int) -> AckHandler {
            { result in if case .failure(.timeout) = result { expired.withLockedValue { $0.append(id) } } }
        }
        acks.sweepScheduled(at: acks.add(1, deadline: start + .seconds(1), handler: record(1))!)
        #expect(acks.add(2, deadline: start + .seconds(2), handler: record(2)) == nil, "a later deadline waits for the sweep")
        #expect(acks.add(3, deadline: start + .seconds(9), handler: record(3)) == nil)
        #expect(
            acks.add(4, deadline: start + .milliseconds(500), handler: record(4)) == start + .milliseconds(500),
            "an earlier deadline than the scheduled sweep needs an earlier sweep"
        )
        let swept = acks.sweep(now: start + .seconds(2))
        for handler in swept.expired { handler(.failure(.timeout)) }
        #expect(expired.withLockedValue { $0.sorted() } == [1, 2, 4])
        #expect(swept.next == start + .seconds(9), "the ack still awaited sets the next sweep")
        #expect(acks.count == 1)
    }

    @Test func leavingFailsEveryAwaitedAck() {
        var acks = PendingAcks()
        _ = acks.add(1, deadline: start + .seconds(1)) { _ in }
        _ = acks.add(2, deadline: start + .seconds(1)) { _ in }
        #expect(acks.removeAll().count == 2)
        #expect(acks.count == 0 && acks.sweepDeadline == nil)
    }
}
