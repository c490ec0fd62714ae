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
        /// The value's node, for readers that need no location unless the value is refused.
        let valueNode: YAMLNode
        /// The mapping the entry belongs to, shared by its entries.
        private let owner: Owner

        fileprivate init(key: String, keyNode: YAMLNode, valueNode: YAMLNode, owner: Owner) {
            self.key = key
            self.keyNode = keyNode
            self.valueNode = valueNode
            self.owner = owner
        }

        /// The value, its key path extended by the key; made on demand, as a million-token table reads none of them.
        var value: YAMLValue {
            owner.value.child(valueNode, key: key)
        }
    }

    /// The mapping's own located value, held once for all its entries.
    fileprivate final class Owner {
        let value: YAMLValue

        init(_ value: YAMLValue) {
            self.value = value
        }
    }

    /// The entries in document order, written keys first, then merged keys that were not written.
    let entries: [Entry]

    init(_ owner: YAMLValue) throws(ConfigurationError) {
        guard case .mapping(let mapping) = owner.node else {
            throw owner.error("must be a mapping of keys to values, found \(owner.kindDescription)")
        }
        let shared = Owner(owner)
        let written = (0..<mapping.count).lazy.map { (mapping.key(at: $0), mapping.value(at: $0)) }
        if mapping.keyTextsAreDistinct, !written.contains(where: { key, _ in key.scalar?.tag == .merge }) {
            entries = try Self.entries(of: written, owner: shared)
            return
        }
        var resolved: [MappingMark: [(YAMLNode, YAMLNode)]] = [:]
        let pairs = try Self.pairs(of: mapping, owner: owner, resolved: &resolved)
        var seen: Set<String> = []
        entries = try Self.entries(of: pairs, owner: shared).filter { seen.insert($0.key).inserted }
    }

    /// One entry per pair, refusing a key that is a mapping or a list.
    private static func entries(
        of pairs: some Collection<(YAMLNode, YAMLNode)>,
        owner: Owner
    ) throws(ConfigurationError) -> [Entry] {
        var entries: [Entry] = []
        entries.reserveCapacity(pairs.count)
        for (keyNode, valueNode) in pairs {
            guard case .scalar(let key) = keyNode else {
                let keyValue = owner.value.child(keyNode, key: "?")
                throw keyValue.error("keys must be strings, found \(keyValue.kindDescription)")
            }
            entries.append(Entry(key: key.string, keyNode: keyNode, valueNode: valueNode, owner: owner))
        }
        return entries
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
        let mark = MappingMark(mark: mapping.mark, pairs: mapping.count)
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
