import Herald
import SocketIO
import Testing

@testable import HeraldRedis

@Suite struct StoredEntryTests {
    @Test func argumentsComeBackAsTheBytesTheBackendSent() throws {
        let argument = try RawJSON(validating: Array(#"{"b":1,"a":[1.0,1e3]}"#.utf8))
        let message = StoredMessage(id: FlakeID(rawValue: 7 << 22), event: "news", arguments: [.raw(argument), "x"])
        let encoded = StoredEntry.encode(message)
        #expect(encoded == #"4:news[{"b":1,"a":[1.0,1e3]},"x"]"#)
        let decoded = try #require(StoredEntry.decode(Array(encoded.utf8), id: message.id))
        #expect(decoded.batchEntry.jsonString == #"["news",{"b":1,"a":[1.0,1e3]},"x"]"#)
        #expect(decoded == message)
    }
}
