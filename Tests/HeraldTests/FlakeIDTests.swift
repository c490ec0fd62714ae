import Herald
import MessageStoreContract
import Testing

@Suite struct FlakeIDTests {
    @Test func fieldsFollowTheFlakeIdgenLayout() {
        let id = FlakeID(milliseconds: 1_764_000_000_123, datacenter: 3, worker: 17, sequence: 4095)
        #expect(id.rawValue == 1_764_000_000_123 << 22 | 3 << 17 | 17 << 12 | 4095)
        #expect(id.milliseconds == 1_764_000_000_123)
        #expect(id.datacenter == 3)
        #expect(id.worker == 17)
        #expect(id.sequence == 4095)
        #expect(FlakeID(id.description) == id)
        #expect(id.sortKey.count == 20)
    }

    @Test func idsIncreaseAndCarryGeneratorFields() {
        let generator = FlakeIDGenerator(datacenter: 2, worker: 5, clock: ManualWallClock())
        let ids = (0..<10_000).map { _ in generator.next() }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ids.allSatisfy { $0.datacenter == 2 && $0.worker == 5 })
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0.sortKey < $1.sortKey })
    }

    @Test func idsStayMonotonicWhenTheClockStepsBack() {
        let clock = ManualWallClock()
        let generator = FlakeIDGenerator(datacenter: 0, worker: 0, clock: clock)
        let before = generator.next()
        clock.advance(seconds: -5)
        let after = generator.next()
        #expect(after > before)
        clock.advance(seconds: 10)
        #expect(generator.next() > after)
    }
}
