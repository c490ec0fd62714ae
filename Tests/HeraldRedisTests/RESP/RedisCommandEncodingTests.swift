import NIOCore
import Testing

@testable import HeraldRedis

@Suite struct RedisCommandEncodingTests {
    private func encoded(_ command: RedisCommand) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        command.encode(into: &buffer)
        return String(buffer: buffer)
    }

    @Test func textCommandIsAnArrayOfBulkStrings() {
        #expect(encoded(RedisCommand(["SET", "key", "value"])) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
    }

    @Test func emptyArgumentKeepsItsPlace() {
        #expect(encoded(RedisCommand("SET", ["k", ""])) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
    }

    @Test func binaryArgumentIsSentByteForByte() {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        RedisCommand("SET", bytes: [[0x6B], [0x00, 0x0D, 0x0A, 0xFF]]).encode(into: &buffer)
        #expect(
            buffer.readableBytesView.elementsEqual(
                Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n".utf8) + [0x00, 0x0D, 0x0A, 0xFF] + [0x0D, 0x0A]
            )
        )
    }

    @Test func multibyteTextIsCountedInBytes() {
        #expect(encoded(RedisCommand("ECHO", ["héllo"])) == "*2\r\n$4\r\nECHO\r\n$6\r\nhéllo\r\n")
    }

    @Test func appendedArgumentsMixTextAndBytes() {
        var command = RedisCommand("HSET", ["h"])
        command.append("field")
        command.append(bytes: [1, 2])
        #expect(command.name == "HSET")
        #expect(command.arguments == [Array("HSET".utf8), Array("h".utf8), Array("field".utf8), [1, 2]])
        #expect(command == RedisCommand(bytes: [Array("HSET".utf8), Array("h".utf8), Array("field".utf8), [1, 2]]))
    }
}
