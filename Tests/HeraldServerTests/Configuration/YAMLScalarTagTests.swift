import Testing
import Yams

@testable import HeraldServer

/// The fast tag resolution gives exactly what Yams' default resolver gives.
@Suite struct YAMLScalarTagTests {
    private func yams(_ text: String) -> Yams.Tag.Name {
        Resolver.default.resolveTag(of: Node.scalar(Node.Scalar(text)))
    }

    @Test(arguments: [
        "", "~", "null", "Null", "NULL", "nul", "yes", "No", "ON", "off", "y", "true", "TRUE", "tRUE", "<<", "=", "80", "-80", "+0",
        "0x50", "0X50", "-0x1_F", "0b101", "0o17", "017", "019", "1_000", "1:30", "-1:30:00", "1.5", ".5", "-.5e+3", "1e5", "1.5e5",
        ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 Z",
        "1970-1-1 1:2:3", "3f9a2b0c", "0b5e", "0xg", "1.2.3", "abc", "Bearer", "https://a.example/auth", "user_1", "- 1", "1 ",
    ])
    func knownScalarsResolveAsInYams(text: String) {
        #expect(YAMLScalarTag.implicit(text) == yams(text), "\(text)")
    }

    @Test func randomScalarsFromTheNumberAlphabetResolveAsInYams() {
        let alphabet = Array("0123456789abcdefxobBeEtTZ_:.+- \tinfNaAIFl<=~yYsu")
        var generator = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 12)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            #expect(YAMLScalarTag.implicit(text) == yams(text), "\(text)")
        }
    }

    @Test func quotedBlockAndNonSpecificScalarsAreStringsAndExplicitTagsAreKept() {
        #expect(YAMLScalarTag.resolve("80", explicitTag: nil, quotedImplicit: true) == .str)
        #expect(YAMLScalarTag.resolve("80", explicitTag: "!", quotedImplicit: false) == .str)
        #expect(YAMLScalarTag.resolve("80", explicitTag: Yams.Tag.Name.str.rawValue, quotedImplicit: false) == .str)
        #expect(YAMLScalarTag.resolve("abc", explicitTag: Yams.Tag.Name.int.rawValue, quotedImplicit: false) == .int)
        #expect(YAMLScalarTag.resolve("80", explicitTag: nil, quotedImplicit: false) == .int)
    }
}

/// A small deterministic generator, so a failure names an input that reproduces.
private struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
