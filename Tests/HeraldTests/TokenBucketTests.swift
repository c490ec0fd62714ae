import Testing

@testable import Herald

@Suite struct TokenBucketTests {
    @Test func aFullBucketGrantsItsCapacityThenAsksToWaitForTheNextToken() {
        var bucket = TokenBucket(ratePerSecond: 2, capacity: 2, now: .zero)
        #expect(bucket.take(1, now: .zero) == .granted)
        #expect(bucket.take(1, now: .zero) == .granted)
        #expect(bucket.take(1, now: .zero) == .refused(retryAfterSeconds: 1))
        #expect(bucket.take(1, now: .milliseconds(499)) == .refused(retryAfterSeconds: 1))
        #expect(bucket.take(1, now: .milliseconds(500)) == .granted)
    }

    @Test func refillStopsAtTheCapacity() {
        var bucket = TokenBucket(ratePerSecond: 10, capacity: 3, now: .zero)
        #expect(bucket.take(3, now: .zero) == .granted)
        #expect(bucket.take(3, now: .seconds(60)) == .granted)
        #expect(bucket.take(1, now: .seconds(60)) == .refused(retryAfterSeconds: 1))
    }

    @Test func retryAfterIsTheWholeSecondsUntilEnoughTokens() {
        var bucket = TokenBucket(ratePerSecond: 1, capacity: 5, now: .zero)
        #expect(bucket.take(5, now: .zero) == .granted)
        #expect(bucket.take(3, now: .zero) == .refused(retryAfterSeconds: 3))
        #expect(bucket.take(3, now: .milliseconds(500)) == .refused(retryAfterSeconds: 3))
        #expect(bucket.take(3, now: .milliseconds(2_100)) == .refused(retryAfterSeconds: 1))
        #expect(bucket.take(3, now: .seconds(3)) == .granted)
    }

    @Test func aRefusedRequestTakesNothing() {
        var bucket = TokenBucket(ratePerSecond: 1, capacity: 2, now: .zero)
        #expect(bucket.take(1, now: .zero) == .granted)
        #expect(bucket.take(2, now: .zero) == .refused(retryAfterSeconds: 1))
        #expect(bucket.take(1, now: .zero) == .granted)
    }

    @Test func aBatchLargerThanTheCapacityGoesWhenTheBucketIsFullAndIsPaidBackBeforeTheNext() {
        var bucket = TokenBucket(ratePerSecond: 2, capacity: 2, now: .zero)
        #expect(bucket.take(6, now: .zero) == .granted)
        #expect(bucket.take(1, now: .seconds(1)) == .refused(retryAfterSeconds: 2))
        #expect(bucket.take(1, now: .milliseconds(2_500)) == .granted)
    }
}
