import NIOCore
import Testing

@testable import SocketIO

@Suite struct RawJSONTests {
    private static func validates(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { JSONValidator.validate($0) != nil }
    }

    @Test(arguments: [
        #"null"#, #"true"#, #"false"#, #"0"#, #"-0"#, #"-12"#, #"1.0"#, #"1e3"#, #"-0.25E-2"#, #"1E+2"#, #""""#, #"[]"#,
        #"{}"#, #" [ 1 , { "a" : [ ] } ]"#, #""\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00""#, #""\ud800 lone""#,
        #""✓ 中文 😀 \u2028""#, #"123456789012345678901234567890"#, #"1e99999"#,
    ])
    func acceptsWhatTheParserAccepts(text: String) throws {
        #expect(Self.validates(text))
        #expect(throws: Never.self) { try JSONValue(parsing: text) }
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{1:2}", "01", "1.", ".5", "1e", "-",
        "+1", "[1 2]", "\"unterminated", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"", "\"tab\there\"", "\"nl\nhere\"", "[1]x",
        "[1] [2]", "NaN", "'single'", "[", "{", "{\"a\":1", "\"\\",
    ])
    func rejectsWhatTheParserRejects(text: String) {
        #expect(!Self.validates(text))
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test(arguments: [
        [0x22, 0xC3, 0x22] as [UInt8],  // truncated sequence
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xFF, 0x22],
        [0x5B, 0xC3, 0xA9, 0x5D],  // valid UTF-8, but outside a string
    ])
    func rejectsInvalidUTF8LikeTheParser(bytes: [UInt8]) {
        #expect(bytes.withUnsafeBytes { JSONValidator.validate($0) } == nil)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: ByteBuffer(bytes: bytes)) }
    }

    @Test func eachSpecialByteIsFoundWhereverItFallsInAnEightByteWord() throws {
        let specials: [[UInt8]] = [[0x22], [0x5C, 0x22], [0x5C, 0x5C], [0x0A], [0x1F], [0xC3, 0xA9], [0xFF], [0x7F]]
        for special in specials {
            for before in 0..<17 {
                let inner = [UInt8](repeating: 0x61, count: before) + special + [UInt8](repeating: 0x62, count: 9)
                let text = [0x5B, 0x22] + inner + [0x22, 0x2C, 0x31, 0x5D]
                let parsed = try? JSONValue(parsing: ByteBuffer(bytes: text))
                #expect(text.withUnsafeBytes { JSONValidator.validate($0) != nil } == (parsed != nil), "\(text)")
                if let parsed {
                    let raw = try RawJSON(validating: text)
                    #expect(raw.elements?.count == parsed.arrayValue?.count, "\(text)")
                    #expect(raw.elements?.last?.description == "1", "\(text)")
                }
            }
        }
    }

    @Test func nestingIsLimitedAsForTheParser() {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(Self.validates(deepest))
        #expect(!Self.validates(tooDeep))
        #expect(throws: JSONParseError.self) { try RawJSON(validating: Array(tooDeep.utf8)) }
    }

    @Test func refusalCarriesTheParsersReasonAndOffset() {
        #expect(throws: JSONParseError(offset: 3, reason: "unexpected character")) {
            try RawJSON(validating: Array("[1,]".utf8))
        }
    }

    @Test func keyOrderAndNumberSpellingAreKept() throws {
        let text = #"{"b":1,"a":2,"n":[1.0,1e3,-0,1E+2,12345678901234567890]}"#
        #expect(try RawJSON(validating: Array(text.utf8)).description == text)
    }

    @Test func whitespaceOutsideStringsIsDropped() throws {
        let raw = try RawJSON(validating: Array(" {\n\t\"a b\" : [ 1 , \" x \\\" y \" ] }\r\n".utf8))
        #expect(raw.description == #"{"a b":[1," x \" y "]}"#)
    }

    @Test func elementsAreTheByteRangesOfEachValue() throws {
        let raw = try RawJSON(validating: Array(#"[{"k":"v,]}"},[1,[2]],"s\"]",-1.5e2,true,null]"#.utf8))
        #expect(raw.elements?.map(\.description) == [#"{"k":"v,]}"}"#, "[1,[2]]", #""s\"]""#, "-1.5e2", "true", "null"])
        #expect(try RawJSON(validating: Array("[]".utf8)).elements?.isEmpty == true)
        #expect(try RawJSON(validating: Array("{}".utf8)).elements == nil)
    }

    @Test func membersAreKeyedByTheDecodedKeyAndTheLastOneWins() throws {
        let raw = try RawJSON(validating: Array(#"{"a":1,"\u0062":{"x":[]},"a":"last"}"#.utf8))
        #expect(raw.members?.mapValues(\.description) == ["a": #""last""#, "b": #"{"x":[]}"#])
    }

    @Test func equalityComparesValuesWhicheverWayTheyAreKept() throws {
        let raw = JSONValue.raw(try RawJSON(validating: Array(#"{"b":[1,"x"],"a":null}"#.utf8)))
        #expect(raw == ["a": nil, "b": [1, "x"]])
        #expect(raw.hashValue == (["a": nil, "b": [1, "x"]] as JSONValue).hashValue)
        #expect(raw != ["a": nil])
        #expect(raw["b"]?.arrayValue?.first == 1)
        #expect(JSONValue.raw(try RawJSON(validating: Array(#""s""#.utf8))).stringValue == "s")
    }

    @Test func writersCopyTheBytes() throws {
        let argument = JSONValue.raw(try RawJSON(validating: Array(#"{"b":1,"a":1.0}"#.utf8)))
        #expect(JSONValue.array(["x", argument]).jsonString == #"["x",{"b":1,"a":1.0}]"#)
        let encoded = SocketPacketEncoder.encode(.event(namespace: "/site", ackID: nil, name: "e", arguments: [argument]))
        #expect(encoded.text == #"2/site,["e",{"b":1,"a":1.0}]"#)
    }

    @Test func aParsedValueBecomesItsCompactText() {
        #expect(RawJSON(["k": [1, "two"]]).description == #"{"k":[1,"two"]}"#)
    }

    @Test func broadcastsToOtherWiresKeepTheBytes() {
        let text = #"2/site,["news",{"b":1,"a":[1.0,1e3]},"x"]"#
        let event = PreparedBroadcast(PreparedSocketPacket(encoded: (text, []))).event
        #expect(event?.name == "news")
        #expect(JSONValue.array(event?.arguments ?? []).jsonString == #"[{"b":1,"a":[1.0,1e3]},"x"]"#)
    }
}
