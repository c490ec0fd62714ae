import Yams

/// The tag of a plain scalar written without one (`80` is an int, `yes` a bool, `~` a null), as Yams' default
/// resolver gives it, without its regular expressions for the scalars that cannot match them.
///
/// Yams tries seven regular expressions on every plain scalar (bool, int, float, merge, null, timestamp, value); on
/// Linux each one bridges the text to `NSString`, which made a million-token table take half a minute. Most scalars
/// in a configuration (names, URLs, tokens, room names) can be told to be strings from their characters: the
/// bool and null rules are fixed words, merge and value are `<<` and `=`, and the int, float and timestamp rules
/// only match text that starts with a digit, a sign or a dot and uses a few more characters. Anything else still
/// goes to Yams' resolver, so the result is always Yams'.
enum YAMLScalarTag {
    /// The tag of a scalar event: quoted and block scalars without a tag are strings, `!` is a string, an explicit
    /// tag is kept, and a plain scalar without a tag is resolved from its text.
    static func resolve(_ text: String, explicitTag: String?, quotedImplicit: Bool) -> Tag.Name {
        if quotedImplicit {
            return .str
        }
        if let explicitTag {
            return explicitTag == "!" ? .str : Tag.Name(rawValue: explicitTag)
        }
        return implicit(text)
    }

    /// The tag Yams' default resolver gives the plain scalar `text`.
    static func implicit(_ text: String) -> Tag.Name {
        if text.utf8.count <= longestWord {
            if boolWords.contains(text) {
                return .bool
            }
            if nullWords.contains(text) {
                return .null
            }
        }
        if text == "<<" {
            return .merge
        }
        if text == "=" {
            return .value
        }
        if let first = text.utf8.first, !numberStarts.contains(first) {
            return .str
        }
        let body = text.utf8.drop { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
        let hasRadixPrefix =
            body.starts(with: "0x".utf8) || body.starts(with: "0b".utf8) || body.starts(with: "0o".utf8)
            || body.first == UInt8(ascii: ".")
        if !hasRadixPrefix && text.utf8.contains(where: { !numberCharacters.contains($0) }) {
            return .str
        }
        return Resolver.default.resolveTag(of: Node.scalar(Node.Scalar(text)))
    }

    /// Every text the bool rule matches.
    static let boolWords: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off",
        "Off", "OFF",
    ]

    /// Every text the null rule matches.
    static let nullWords: Set<String> = ["~", "null", "Null", "NULL", ""]

    /// Length in bytes of the longest bool or null word: longer text is neither, without hashing it.
    private static let longestWord = boolWords.union(nullWords).map(\.utf8.count).max() ?? 0

    /// Bytes an int, float or timestamp can start with.
    private static let numberStarts = Set("0123456789+-.".utf8)

    /// Bytes of an int, float or timestamp other than the hexadecimal, binary and octal forms and `.inf` / `.nan`
    /// (which start with a radix prefix or a dot and always go to the resolver).
    private static let numberCharacters = Set("0123456789_:.+-eETtZ \t".utf8)
}
