import HeraldRedis
import Testing

@Suite struct RedisReconnectBackoffTests {
    @Test func doublesUpToTheMaximum() {
        let backoff = RedisReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .seconds(5), jitter: 0)
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(50))
        #expect(backoff.delay(afterFailures: 2) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 5) == .milliseconds(800))
        #expect(backoff.delay(afterFailures: 8) == .seconds(5))
        #expect(backoff.delay(afterFailures: 10_000) == .seconds(5))
    }

    @Test func jitterOnlyShortensAndVaries() {
        let backoff = RedisReconnectBackoff(initialDelay: .milliseconds(100), maximumDelay: .seconds(5), jitter: 0.5)
        let delays = (0..<200).map { _ in backoff.delay(afterFailures: 1) }
        #expect(delays.allSatisfy { $0 >= .milliseconds(50) && $0 <= .milliseconds(100) })
        #expect(Set(delays).count > 1)
    }
}
