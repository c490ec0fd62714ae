import Yams

/// One node of a YAML document together with where it sits, so that every typed read fails with file, line,
/// column and key path.
///
/// The configuration is read by walking these nodes rather than through `Codable`: a decoding error knows its coding
/// path but not the line an operator has to fix.
struct YAMLValue {
    /// The node.
    let node: YAMLNode
    /// Dotted path from the document root (`production.io.pingInterval`, `demo.tokens[2]`); empty for the root.
    let keyPath: String
    /// The file the document came from, as given.
    let file: String

    /// An error located at this node.
    func error(_ message: String) -> ConfigurationError {
        ConfigurationError(
            file: file,
            line: node.mark.line,
            column: node.mark.column,
            keyPath: keyPath.isEmpty ? nil : keyPath,
            message: message
        )
    }

    /// A warning located at this node, in the error format.
    func warning(_ message: String) -> String {
        error(message).description
    }

    /// The value at `key` below this one (only the path is extended; the node is the caller's).
    func child(_ node: YAMLNode, key: String) -> YAMLValue {
        YAMLValue(node: node, keyPath: keyPath.isEmpty ? key : "\(keyPath).\(key)", file: file)
    }

    /// A stand-in for a required key that is absent: its path names the key, its location is this mapping's.
    func missingChild(_ key: String) -> YAMLValue {
        child(node, key: key)
    }

    /// The element at `index` below this one.
    func element(_ node: YAMLNode, index: Int) -> YAMLValue {
        YAMLValue(node: node, keyPath: "\(keyPath)[\(index)]", file: file)
    }

    /// Whether the node is YAML null (`~`, `null` or nothing at all after the colon).
    var isNull: Bool {
        node.scalar?.tag == .null
    }

    /// Whether the node is a string scalar (plain, like `Bearer`, or quoted).
    var isString: Bool {
        node.scalar?.tag == .str
    }

    /// Whether the node is an integer scalar (`80`, `0x50`).
    var isInteger: Bool {
        node.scalar?.tag == .int
    }

    /// The scalar's text as written, whatever its type; nil for mappings and lists.
    var scalarText: String? {
        node.scalar?.string
    }

    /// This node as a mapping, with merge keys (`<<: *defaults`) applied.
    func mapping() throws(ConfigurationError) -> YAMLMapping {
        try YAMLMapping(self)
    }

    /// This node as a list.
    func sequence() throws(ConfigurationError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else {
            throw error("must be a list, found \(kindDescription)")
        }
        return sequence.nodes.enumerated().map { element($1, index: $0) }
    }

    /// This node as a string; numbers, booleans and nulls are refused (quote them to make them strings).
    func string() throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node, scalar.tag == .str else {
            throw error("must be a string, found \(kindDescription)")
        }
        return scalar.string
    }

    /// This node as a string that is not empty.
    func nonEmptyString() throws(ConfigurationError) -> String {
        let value = try string()
        guard !value.isEmpty else {
            throw error("must be a non-empty string")
        }
        return value
    }

    /// This node as a non-empty string that is a secret: the error never echoes the value, even a number.
    func secret() throws(ConfigurationError) -> String {
        guard isString, let text = scalarText, !text.isEmpty else {
            throw error("must be a non-empty string (quote it if it looks like a number; the value is not shown here)")
        }
        return text
    }

    /// This node as an integer within `range`; `requirement` completes "must be …" in the error.
    func integer(in range: ClosedRange<Int>, _ requirement: String) throws(ConfigurationError) -> Int {
        guard case .scalar(let scalar) = node, scalar.tag == .int,
            let value = Int.construct(from: Node.Scalar(scalar.string)), range.contains(value)
        else {
            throw error("must be \(requirement), found \(kindDescription)")
        }
        return value
    }

    /// This node as a boolean (`true`/`false`, and YAML 1.1's `yes`/`no`/`on`/`off` that Node's js-yaml read too).
    func boolean() throws(ConfigurationError) -> Bool {
        guard case .scalar(let scalar) = node, scalar.tag == .bool else {
            throw error("must be true or false, found \(kindDescription)")
        }
        return ["true", "yes", "on"].contains(scalar.string.lowercased())
    }

    /// What the node is, for error messages (`the number 80`, `a list`); strings are not echoed, they may be secrets.
    var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch scalar.tag {
            case .int, .float: return "the number \(scalar.string)"
            case .bool: return "the boolean \(scalar.string)"
            case .null: return "nothing (null)"
            case .str: return "a string"
            default: return "a value of type \(scalar.tag.rawValue)"
            }
        }
    }
}
