import HeraldRedis
import Testing

@Suite struct RedisValueTests {
    @Test func stringReadsStatusBulkAndInteger() {
        #expect(RedisValue.simpleString("OK").string == "OK")
        #expect(RedisValue.bulkString(Array("héllo".utf8)).string == "héllo")
        #expect(RedisValue.integer(42).string == "42")
        #expect(RedisValue.null.string == nil)
        #expect(RedisValue.error("ERR x").string == nil)
    }

    @Test func intReadsIntegersAndNumericStrings() {
        #expect(RedisValue.integer(-7).int == -7)
        #expect(RedisValue.bulkString(Array("123".utf8)).int == 123)
        #expect(RedisValue.bulkString(Array("12a".utf8)).int == nil)
        #expect(RedisValue.null.int == nil)
    }

    @Test func nullIsNotAnEmptyStringOrArray() {
        #expect(RedisValue.null.isNull)
        #expect(!RedisValue.bulkString([]).isNull)
        #expect(RedisValue.bulkString([]).string == "")
        #expect(RedisValue.null.array == nil)
        #expect(RedisValue.array([]).array == [])
    }

    @Test func errorMessageOnlyForErrors() {
        #expect(RedisValue.error("WRONGTYPE x").errorMessage == "WRONGTYPE x")
        #expect(RedisValue.simpleString("OK").errorMessage == nil)
    }
}
