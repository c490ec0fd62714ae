import Yams

/// How the scalar keys of one mapping repeat each other, found once when the mapping is closed.
///
/// YAML refuses a mapping in which two keys have the same text and tag, and allows `1` next to `'1'` (an int and a
/// string). The check hashes each key's text once into a set sized for the mapping, so a `tokens:` table of a
/// million keys costs a million hashes and no rehashing; only a mapping in which two texts meet is checked again
/// with tags.
enum YAMLKeyRepetition: Equatable {
    /// Every key's text is different.
    case none
    /// Some keys share their text and differ in tag; readers that go by text keep the first of them.
    case sameTextOtherTag
    /// Two keys have the same text and tag: the mapping is invalid.
    case duplicate

    /// The repetition among the scalar keys of a mapping given as its keys and values alternating; keys that are
    /// mappings or lists are not compared.
    static func of(keysAndValues: [YAMLNode]) -> YAMLKeyRepetition {
        let keys = (0..<keysAndValues.count / 2).lazy.map { keysAndValues[2 * $0] }
        var texts = Set<String>(minimumCapacity: keysAndValues.count / 2)
        for key in keys {
            guard case .scalar(let scalar) = key else { continue }
            guard texts.insert(scalar.string).inserted else {
                return comparingTags(keys)
            }
        }
        return .none
    }

    private static func comparingTags(_ keys: some Collection<YAMLNode>) -> YAMLKeyRepetition {
        var tagged = Set<TaggedKey>(minimumCapacity: keys.count)
        for key in keys {
            guard case .scalar(let scalar) = key else { continue }
            guard tagged.insert(TaggedKey(text: scalar.string, tag: scalar.tag.rawValue)).inserted else {
                return .duplicate
            }
        }
        return .sameTextOtherTag
    }

    private struct TaggedKey: Hashable {
        let text: String
        let tag: String
    }
}
