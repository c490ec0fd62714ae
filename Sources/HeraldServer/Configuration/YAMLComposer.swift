import CYaml
import Yams

/// Builds the ``YAMLNode`` tree of a configuration document from libyaml's events, refusing on the way a document
/// nested deeper than ``ConfigurationInputLimits/maxDepth`` or expanding past ``ConfigurationInputLimits/maxNodes``
/// values once its aliases are resolved ("billion laughs", merge-key bombs).
///
/// It keeps a stack of open mappings and lists instead of recursing, so depth costs no stack, and counts each
/// anchor's expanded size, so a bomb is refused at the alias that crosses the bound, in time proportional to the
/// text. Yams' own composer recurses once per level and hashes every mapping key to find duplicates, and hashing a
/// key that is an alias of a bomb walks its whole expansion; it only runs here on text that is already known to be
/// invalid, to describe the syntax error exactly as before. libyaml is reached through Yams' copy (`CYaml`), so both
/// parse the same language.
enum YAMLComposer {
    /// What stopped the composition.
    enum Failure: Error {
        /// A bound was exceeded at this position.
        case limit(line: Int, column: Int, message: String)
        /// libyaml refused the text, or it is not one document with unique keys and defined aliases: Yams' composer
        /// describes it.
        case invalid
    }

    /// The root of the document's only document, or nil when the text holds none (empty or comments only).
    static func compose(_ yaml: String, limits: ConfigurationInputLimits) throws(Failure) -> YAMLNode? {
        var text = yaml
        let result: Result<YAMLNode?, Failure> = text.withUTF8 { bytes in
            var composition = Composition(limits: limits)
            return Result { () throws(Failure) in try composition.run(bytes) }
        }
        return try result.get()
    }

    /// The error for a document nested deeper than `limits` allow.
    static func tooDeep(_ limits: ConfigurationInputLimits) -> String {
        "nested more than \(limits.maxDepth) levels deep (mappings and lists inside each other); a configuration needs only a few levels"
    }

    /// A mapping or list being read.
    private struct OpenNode {
        let isMapping: Bool
        let anchor: String?
        let mark: YAMLNode.Mark
        var children: [YAMLNode] = []
        /// Values once aliases are expanded, this node included.
        var expandedSize = 1
    }

    private struct Composition {
        let limits: ConfigurationInputLimits
        var open: [OpenNode] = []
        var anchors: [String: (node: YAMLNode, size: Int)] = [:]
        var expanded = 0
        var root: YAMLNode?

        init(limits: ConfigurationInputLimits) {
            self.limits = limits
        }

        mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> YAMLNode? {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw .invalid
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            var documents = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw .invalid
                }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return root
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    guard documents == 1 else { throw .invalid }
                default:
                    try consume(event)
                }
            }
        }

        private mutating func consume(_ event: yaml_event_t) throws(Failure) {
            let mark = YAMLNode.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let tag = YAMLScalarTag.resolve(text, explicitTag: Self.string(scalar.tag), quotedImplicit: scalar.quoted_implicit == 1)
                let node = YAMLNode.scalar(YAMLNode.Scalar(string: text, tag: tag, mark: mark))
                try add(node, size: 1, at: mark)
                if let anchor = Self.string(scalar.anchor) {
                    anchors[anchor] = (node, 1)
                }
            case YAML_ALIAS_EVENT:
                guard let name = Self.string(event.data.alias.anchor), let anchored = anchors[name] else {
                    throw .invalid
                }
                try add(anchored.node, size: anchored.size, at: mark)
            case YAML_SEQUENCE_START_EVENT:
                try openNode(isMapping: false, anchor: Self.string(event.data.sequence_start.anchor), at: mark)
            case YAML_MAPPING_START_EVENT:
                try openNode(isMapping: true, anchor: Self.string(event.data.mapping_start.anchor), at: mark)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                try closeNode()
            default:
                break
            }
        }

        private mutating func openNode(isMapping: Bool, anchor: String?, at mark: YAMLNode.Mark) throws(Failure) {
            guard open.count < limits.maxDepth else {
                throw .limit(line: mark.line, column: mark.column, message: YAMLComposer.tooDeep(limits))
            }
            try count(1, at: mark)
            open.append(OpenNode(isMapping: isMapping, anchor: anchor, mark: mark))
        }

        private mutating func closeNode() throws(Failure) {
            guard let closed = open.popLast() else { return }
            let node: YAMLNode
            if closed.isMapping {
                let repetition = YAMLKeyRepetition.of(keysAndValues: closed.children)
                guard repetition != .duplicate else {
                    throw .invalid
                }
                node = .mapping(
                    YAMLNode.Mapping(keysAndValues: closed.children, mark: closed.mark, keyTextsAreDistinct: repetition == .none)
                )
            } else {
                node = .sequence(YAMLNode.Sequence(nodes: closed.children, mark: closed.mark))
            }
            if let anchor = closed.anchor {
                anchors[anchor] = (node, closed.expandedSize)
            }
            attach(node, size: closed.expandedSize)
        }

        /// Counts a scalar or an alias and attaches it to the open node.
        private mutating func add(_ node: YAMLNode, size: Int, at mark: YAMLNode.Mark) throws(Failure) {
            try count(size, at: mark)
            attach(node, size: size)
        }

        /// Puts `node` into the innermost open node (a mapping's children alternate key, value), or makes it the root.
        private mutating func attach(_ node: YAMLNode, size: Int) {
            guard !open.isEmpty else {
                root = node
                return
            }
            let last = open.count - 1
            open[last].children.append(node)
            open[last].expandedSize += size
        }

        private mutating func count(_ size: Int, at mark: YAMLNode.Mark) throws(Failure) {
            expanded += size
            guard expanded <= limits.maxNodes else {
                throw .limit(
                    line: mark.line,
                    column: mark.column,
                    message: "the document expands to more than \(limits.maxNodes) values once its aliases and merge keys "
                        + "(<<) are resolved; nested aliases that multiply each other are refused"
                )
            }
        }

        private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }
    }
}
