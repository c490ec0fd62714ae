import NIOCore
import SocketIO
import Testing

@testable import Herald

/// The form decoder reads bodies as the Node service's `qs` did, within `qs`'s bounds: indices up to 20, five
/// bracket levels, 1,000 fields.
@Suite struct FormBodyDecoderTests {
    private func decode(_ body: String) -> JSONValue {
        FormBodyDecoder.decode(body)
    }

    private func send(_ body: String) throws(SendRequestError) -> SendRequest {
        try SendRequestParser.parse(ByteBuffer(string: body), format: .form, resyncQuery: nil)
    }

    @Test func hugeIndexIsAnObjectKeyAndTheRequestIsRefusedInsteadOfCrashing() {
        #expect(
            decode("rooms[9223372036854775807]=a&rooms[]=b&event=x") == ["rooms": ["9223372036854775807": "a", "0": "b"], "event": "x"]
        )
        #expect(throws: SendRequestError("'rooms' must be a list of non-empty room names")) {
            _ = try send("rooms[9223372036854775807]=a&rooms[]=b&event=x")
        }
        #expect(decode("a[99999999999999999999999]=x&a[]=y")["a"] == ["99999999999999999999999": "x", "0": "y"])
    }

    @Test func indicesUpToTwentyMakeListsAndLargerOnesObjectKeys() throws {
        #expect(try send("rooms[20]=last&rooms[0]=first&rooms[3]=third&event=e").rooms == ["first", "third", "last"])
        #expect(decode("rooms[21]=a&event=e")["rooms"] == ["21": "a"])
        #expect(decode("a[007]=x&a[-1]=y&a[%2B2]=z")["a"] == ["007": "x", "-1": "y", "+2": "z"])
    }

    @Test func namesDeeperThanFiveLevelsKeepTheRestAsOneKey() {
        #expect(decode("a[b][c][d][e][f][g][h]=x") == ["a": ["b": ["c": ["d": ["e": ["f": ["[g][h]": "x"]]]]]]])
        #expect(decode("a[0][1][2][3][4][5]=x") == ["a": [[[[[["[5]": "x"]]]]]]])
    }

    @Test func fieldsAfterTheThousandthAreIgnored() {
        let body = (0...1_000).map { "k\($0)=\($0)" }.joined(separator: "&")
        let fields = decode(body).objectValue ?? [:]
        #expect(fields.count == 1_000)
        #expect(fields["k999"] == "999")
        #expect(fields["k1000"] == nil)
        #expect(decode(String(repeating: "&", count: 999) + "a=1&b=2") == ["a": "1"])
    }

    @Test func repeatedNamesCombineIntoAListKeepingEmptyValues() {
        #expect(decode("a=1&a=2&a=") == ["a": ["1", "2", ""]])
        #expect(decode("a[]=x&a[]=&a[]=y") == ["a": ["x", "", "y"]])
        #expect(decode("a[0]=x&a[0]=y") == ["a": [["x", "y"]]])
    }

    @Test func fieldsMergeAsQsMergesThem() {
        #expect(decode("a[1]=x&a[0]=y") == ["a": ["y", "x"]])
        #expect(decode("a[b]=1&a=2") == ["a": ["b": "1", "2": true]])
        #expect(decode("a=2&a[b]=1") == ["a": ["2", ["b": "1"]]])
        #expect(decode("a[]=x&a[b]=y") == ["a": ["0": "x", "b": "y"]])
        #expect(decode("a[b]=x&a=") == ["a": ["b": "x"]])
        #expect(decode("[]=x&[k]=y&=z") == ["0": "x", "k": "y"])
        #expect(decode("5[a]=1&5=2") == ["5": ["2", ["a": "1"]]])
    }

    @Test func bracketsAreFoundAsQsFindsThem() {
        #expect(decode("a%5Bb%5D=1&c%5b%5d=2") == ["a": ["b": "1"], "c": ["2"]])
        #expect(decode("a[b=c]=d") == ["a": ["b=c": "d"]])
        #expect(decode("a[b[c]=d") == ["a[b": ["c": "d"]])
        #expect(decode("a[b]junk[c]=d") == ["a": ["b": ["c": "d"]]])
        #expect(decode("a[=x&b]=y") == ["a[": "x", "b]": "y"])
    }

    @Test func escapesDecodeAsDecodeURIComponentOrStayAsTheyAre() {
        #expect(decode("a=x+y%20z&%E2%9C%93=%F0%9F%98%80") == ["a": "x y z", "✓": "😀"])
        #expect(decode("a=%C3%28&b=c+%ZZ&%zz=1") == ["a": "%C3%28", "b": "c %ZZ", "%zz": "1"])
        #expect(decode("nul=%00&raw=\u{0}") == ["nul": "\u{0}", "raw": "\u{0}"])
    }
}
