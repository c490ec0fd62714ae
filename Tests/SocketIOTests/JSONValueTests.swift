import NIOCore
import Testing

@testable import SocketIO

@Suite struct JSONValueTests {
    @Test(arguments: [
        #"null"#, #"true"#, #"false"#, #"0"#, #"-12"#, #"1.5"#, #""text""#, #"[]"#, #"{}"#,
        #"[1,"two",null,true,{"k":[false]}]"#, #""quote \" backslash \\ newline \n tab \t""#,
        #""✓ 中文 😀""#, #"9223372036854775807"#, #"-9223372036854775808"#,
    ])
    func compactTextRoundTrips(text: String) throws {
        #expect(try JSONValue(parsing: text[...]).jsonString == text)
    }

    @Test func integersStayIntegersAndFractionsStayDoubles() throws {
        #expect(try JSONValue(parsing: "1") == .int(1))
        #expect(try JSONValue(parsing: "1.0") == .double(1))
        #expect(try JSONValue(parsing: "1e3") == .double(1000))
        #expect(try JSONValue(parsing: "-0.25E-2") == .double(-0.0025))
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(JSONValue.double(2).jsonString == "2", "integral doubles print as JavaScript prints them")
        #expect(JSONValue.double(.infinity).jsonString == "null")
    }

    @Test func escapesDecode() throws {
        #expect(try JSONValue(parsing: #""\u00e9\u20ac\ud83d\ude00\/\b\f\r""#) == .string("é€😀/\u{8}\u{C}\r"))
        #expect(try JSONValue(parsing: #""\ud83d""#) == .string("\u{FFFD}"), "a lone surrogate becomes U+FFFD")
    }

    @Test func controlCharactersAreEscapedOnOutput() {
        #expect(JSONValue.string("a\u{1}b\u{1F}").jsonString == #""a\u0001b\u001f""#)
    }

    @Test func whitespaceAroundTokensIsAccepted() throws {
        #expect(try JSONValue(parsing: " { \"a\" : [ 1 , 2 ] }\n") == ["a": [1, 2]])
    }

    @Test func objectsParseToDictionaries() throws {
        let value = try JSONValue(parsing: #"{"name":"Ada","tags":["x"],"age":36,"ok":true,"none":null}"#)
        #expect(value["name"]?.stringValue == "Ada")
        #expect(value["tags"]?.arrayValue == ["x"])
        #expect(value["age"] == .int(36))
        #expect(value["none"] == .null)
        #expect(try JSONValue(parsing: value.jsonString) == value)
    }

    @Test(arguments: [
        ("", 0, "unexpected end of input"),
        ("[1,", 3, "unexpected end of input"),
        ("[1 2]", 3, "expected ',' or ']'"),
        (#"{"a" 1}"#, 5, "expected ':'"),
        (#"{1:2}"#, 1, "expected a string key"),
        ("01", 1, "leading zero in number"),
        ("1.", 2, "digit expected after '.'"),
        ("-", 1, "invalid number"),
        ("tru", 0, "invalid literal"),
        (#""abc"#, 4, "unterminated string"),
        (#""\x""#, 2, "invalid escape"),
        (#""\u12G4""#, 5, #"invalid hex digit in \u escape"#),
        ("\"a\nb\"", 2, "control character in string"),
        ("[] x", 3, "unexpected characters after the value"),
    ])
    func malformedInputReportsWhereAndWhy(text: String, offset: Int, reason: String) {
        #expect(throws: JSONParseError(offset: offset, reason: reason)) { try JSONValue(parsing: text[...]) }
    }

    @Test func nestingIsLimited() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep[...]) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONValue(parsing: fine[...]).arrayValue != nil)
    }

    @Test func invalidUTF8BytesAreRejected() {
        #expect(throws: JSONParseError(offset: 0, reason: "invalid UTF-8")) {
            try JSONValue(parsing: ByteBuffer(bytes: [0x22, 0xC3, 0x22]))
        }
    }

    @Test func binaryIsBase64InPlainJSON() {
        #expect(JSONValue.binary(ByteBuffer(bytes: [1, 2, 3])).jsonString == #""AQID""#)
        #expect(JSONValue.array([.object(["f": .binary(ByteBuffer())])]).containsBinary)
    }
}
