import Testing

@testable import HeraldServer

/// The composer that replaced Yams' reads documents as Yams did and describes invalid ones as before.
@Suite struct YAMLComposerTests {
    @Test func anAliasIsTheAnchoredValueAndKeepsItsPosition() throws {
        let root = try #require(try YAMLDocument.parse("a: &rooms [news, sports]\nb: *rooms\n", file: "x.yml"))
        let b = try #require(try root.mapping()["b"])
        #expect(try b.sequence().map { try $0.string() } == ["news", "sports"])
        #expect(b.node.mark == YAMLNode.Mark(line: 1, column: 4))  // where the anchored list was written
        #expect(b.keyPath == "b")
    }

    @Test func quotedNumbersAreStringsAndPlainOnesNumbers() throws {
        let root = try #require(try YAMLDocument.parse("quoted: '80'\nplain: 80\nhex: 0x50\ntagged: !!str 80\n", file: "x.yml"))
        let keys = try root.mapping()
        #expect(try keys["quoted"]?.string() == "80")
        #expect(try keys["plain"]?.integer(in: 1...100, "a number") == 80)
        #expect(try keys["hex"]?.integer(in: 1...100, "a number") == 80)
        #expect(try keys["tagged"]?.string() == "80")
    }

    @Test func emptyAndCommentOnlyTextsHoldNoDocument() throws {
        #expect(try YAMLDocument.parse("", file: "x.yml") == nil)
        #expect(try YAMLDocument.parse("# nothing here\n", file: "x.yml") == nil)
    }

    @Test func aSecondDocumentIsRefusedAsBefore() {
        let error = #expect(throws: ConfigurationError.self) { try YAMLDocument.parse("a: 1\n---\nb: 2\n", file: "x.yml") }
        #expect(error?.description.hasPrefix("x.yml:2:1: invalid YAML: expected a single document in the stream") == true)
    }

    @Test func anUndefinedAliasIsRefusedWhereItIsUsed() {
        let error = #expect(throws: ConfigurationError.self) { try YAMLDocument.parse("a: *nowhere\n", file: "x.yml") }
        #expect(error?.description == "x.yml:1:4: invalid YAML: found undefined alias")
    }

    @Test func aKeyWrittenAsANumberAndAsAStringIsNotADuplicate() throws {
        let root = try #require(try YAMLDocument.parse("1: number\n'1': string\n", file: "x.yml"))
        #expect(try root.mapping().entries.map(\.key) == ["1"])
    }

    @Test func aDuplicateKeyAmongAThousandIsRefusedPointingAtItsFirstOccurrence() {
        let keys = (0..<1000).map { "  key-\($0): \($0)\n" }.joined()
        let error = #expect(throws: ConfigurationError.self) {
            try YAMLDocument.parse("table:\n" + keys + "  key-500: again\n", file: "x.yml")
        }
        #expect(
            error?.description
                == "x.yml:502:3: invalid YAML: a key here appears twice in the same mapping (keys are not shown: they may be tokens)"
        )
    }

    @Test func aDuplicateIsFoundAlsoWhereAnotherKeySharesItsTextWithAnotherTag() {
        let error = #expect(throws: ConfigurationError.self) {
            try YAMLDocument.parse("1: number\n'1': string\nname: a\nname: b\n", file: "x.yml")
        }
        #expect(
            error?.description
                == "x.yml:3:1: invalid YAML: a key here appears twice in the same mapping (keys are not shown: they may be tokens)"
        )
    }

    @Test func aDuplicateTokenIsRefusedWithoutShowingIt() {
        let token = "secret-token-of-alice-0001"
        let error = #expect(throws: ConfigurationError.self) {
            try YAMLDocument.parse("demo:\n  tokens:\n    \(token): [a]\n    \(token): [b]\n", file: "sites.yml")
        }
        #expect(error?.description.contains(token) == false)
        #expect(error?.description.hasPrefix("sites.yml:3:5: invalid YAML: a key here appears twice") == true)
    }
}
