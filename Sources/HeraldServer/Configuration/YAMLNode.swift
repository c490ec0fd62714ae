import Yams

/// One node of a configuration document as ``YAMLComposer`` builds it: a scalar with its tag already resolved, a
/// mapping or a list, each with the 1-based position where it was written.
///
/// Herald builds these instead of Yams' `Node`s because a `tokens:` table may hold a million entries: a Yams node
/// carries a `Tag` object and resolves its tag with up to seven regular expressions, which made such a table take
/// 35 s and 1 GiB. An alias is the anchored node itself (arrays are shared, nothing is copied).
enum YAMLNode {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// Where a node was written, 1-based; libyaml counts columns in Unicode scalars.
    struct Mark: Hashable {
        let line: Int
        let column: Int
    }

    /// A scalar's text and its tag (`tag:yaml.org,2002:str`, `…:int`, …), resolved the way Yams' default resolver
    /// does.
    struct Scalar {
        let string: String
        let tag: Tag.Name
        let mark: Mark
    }

    /// A mapping's keys and values in document order.
    struct Mapping {
        /// Keys and values alternating (key 0, value 0, key 1, …), as the composer collected them: a table of a
        /// million keys is kept once, not copied into pairs.
        let keysAndValues: [YAMLNode]
        let mark: Mark
        /// Whether no two scalar keys share their text (``YAMLKeyRepetition/none``), so a reader that goes by text
        /// needs no check of its own.
        let keyTextsAreDistinct: Bool

        /// The number of keys.
        var count: Int { keysAndValues.count / 2 }

        /// The key at `index` (0-based, in document order).
        func key(at index: Int) -> YAMLNode { keysAndValues[2 * index] }

        /// The value of the key at `index`.
        func value(at index: Int) -> YAMLNode { keysAndValues[2 * index + 1] }

        /// The key and value pairs, made on demand.
        var pairs: [(YAMLNode, YAMLNode)] { (0..<count).map { (key(at: $0), value(at: $0)) } }
    }

    /// A list's elements.
    struct Sequence {
        let nodes: [YAMLNode]
        let mark: Mark
    }

    /// Where the node was written.
    var mark: Mark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .mapping(let mapping): mapping.mark
        case .sequence(let sequence): sequence.mark
        }
    }

    /// The scalar, or nil for a mapping or a list.
    var scalar: Scalar? {
        guard case .scalar(let scalar) = self else { return nil }
        return scalar
    }

    /// The node's tag; mappings and lists have YAML's `map` and `seq` tags.
    var tag: Tag.Name {
        switch self {
        case .scalar(let scalar): scalar.tag
        case .mapping: .map
        case .sequence: .seq
        }
    }
}
