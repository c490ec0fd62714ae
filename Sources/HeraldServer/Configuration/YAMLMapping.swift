import Yams

/// A YAML mapping with its merge keys applied and its keys read as strings.
///
/// The composer keeps `<<` keys in the node tree, so the configuration reader merges them itself, following the YAML merge-key specification: keys written in the mapping win over merged
/// ones, and in `<<: [*a, *b]` a mapping earlier in the list wins over a later one. The merge is shallow: a nested
/// mapping written in the mapping replaces the merged one as a whole.
struct YAMLMapping {
    /// One key and its value.
    struct Entry {
        /// The key's text.
        let key: String
        /// The key node, for errors that must point at the key rather than at the value (a token's line).
        let keyNode: YAMLNode
        /// The value, its key path extended by the key.
        let value: YAMLValue
    }

    /// The entries in document order, written keys first, then merged keys that were not written.
    let entries: [Entry]

    init(_ owner: YAMLValue) throws(ConfigurationError) {
        guard case .mapping(let mapping) = owner.node else {
            throw owner.error("must be a mapping of keys to values, found \(owner.kindDescription)")
        }
        var entries: [Entry] = []
        var seen: Set<String> = []
        var resolved: [MappingMark: [(YAMLNode, YAMLNode)]] = [:]
        for (keyNode, valueNode) in try Self.pairs(of: mapping, owner: owner, resolved: &resolved) {
            guard case .scalar(let key) = keyNode else {
                let keyValue = owner.child(keyNode, key: "?")
                throw keyValue.error("keys must be strings, found \(keyValue.kindDescription)")
            }
            if seen.insert(key.string).inserted {
                entries.append(Entry(key: key.string, keyNode: keyNode, value: owner.child(valueNode, key: key.string)))
            }
        }
        self.entries = entries
    }

    /// The value at `key`, or nil when the key is absent or its value is null (an empty key means "use the default").
    subscript(key: String) -> YAMLValue? {
        guard let value = entries.first(where: { $0.key == key })?.value, !value.isNull else {
            return nil
        }
        return value
    }

    /// The positive integer at `key`, or nil when the key is absent; `meaning` names what the number counts in the
    /// error for anything else (e.g. "a positive number of bytes").
    func positiveInteger(_ key: String, _ meaning: String) throws(ConfigurationError) -> Int? {
        try self[key]?.integer(in: 1...Int.max, meaning)
    }

    /// Adds a warning for every key not in `known`: Node deployments carry keys Herald does not read.
    func warnAboutUnknownKeys(known: Set<String>, into warnings: inout [String]) {
        for entry in entries where !known.contains(entry.key) {
            let key = YAMLValue(node: entry.keyNode, keyPath: entry.value.keyPath, file: entry.value.file)
            warnings.append(key.warning("unknown key, ignored"))
        }
    }

    /// Where a mapping was written: an alias yields the anchored mapping itself, so every `*name` of one anchor
    /// has the same mark. The pair count tells apart a block mapping from a flow mapping written as its first key.
    private struct MappingMark: Hashable {
        let mark: YAMLNode.Mark
        let pairs: Int
    }

    /// The written pairs followed by the merged ones, each key once (the first one wins).
    ///
    /// A mapping merged several times is resolved once (`resolved` memoizes by where it was written) and each resolved
    /// mapping holds every key once, so `m9: {<<: [*m8, *m8, …]}` over nine levels costs the keys of each level
    /// instead of ten to the ninth pairs. ``YAMLShapeCheck`` refuses such documents before this runs; this keeps the
    /// merge linear for any document it lets through.
    private static func pairs(
        of mapping: YAMLNode.Mapping,
        owner: YAMLValue,
        resolved: inout [MappingMark: [(YAMLNode, YAMLNode)]]
    ) throws(ConfigurationError) -> [(YAMLNode, YAMLNode)] {
        let mark = MappingMark(mark: mapping.mark, pairs: mapping.pairs.count)
        if let known = resolved[mark] {
            return known
        }
        var written: [(YAMLNode, YAMLNode)] = []
        var merged: [(YAMLNode, YAMLNode)] = []
        for (key, value) in mapping.pairs {
            guard key.scalar?.tag == .merge else {
                written.append((key, value))
                continue
            }
            let mergeValue = owner.child(value, key: "<<")
            switch value {
            case .mapping(let source):
                merged += try pairs(of: source, owner: mergeValue, resolved: &resolved)
            case .sequence(let sources):
                for (index, source) in sources.nodes.enumerated() {
                    let sourceValue = mergeValue.element(source, index: index)
                    guard case .mapping(let sourceMapping) = source else {
                        throw sourceValue.error("a merge key takes mappings, found \(sourceValue.kindDescription)")
                    }
                    merged += try pairs(of: sourceMapping, owner: sourceValue, resolved: &resolved)
                }
            default:
                throw mergeValue.error(
                    "a merge key takes a mapping or a list of mappings (`<<: *defaults`), found \(mergeValue.kindDescription)"
                )
            }
        }
        guard !merged.isEmpty else {
            resolved[mark] = written
            return written
        }
        var seen: Set<String> = []
        let unique = (written + merged).filter { key, _ in
            guard let text = key.scalar?.string else { return true }
            return seen.insert(text).inserted
        }
        resolved[mark] = unique
        return unique
    }
}
