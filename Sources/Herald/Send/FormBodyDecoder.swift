import EngineIO
import SocketIO

/// Decodes `application/x-www-form-urlencoded` bodies the way jQuery and browsers write nested data and the
/// Node service's body parser (`qs`) read it: `rooms[]=a&rooms[]=b`, `rooms=a&rooms=b`, `args[0][text]=hi`.
///
/// Values are strings; a map whose keys are all indices becomes a list, in index order.
enum FormBodyDecoder {
    /// Most `name=value` pairs in one body.
    static let maxParameters = 1_000
    /// Most `[...]` levels in one name.
    static let maxDepth = 5

    static func decode(_ body: String) throws(SendRequestError) -> JSONValue {
        let root = FormNode()
        let pairs = body.split(separator: "&", omittingEmptySubsequences: true)
        guard pairs.count <= maxParameters else {
            throw SendRequestError("Form body has more than \(maxParameters) fields")
        }
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = QueryString.percentDecode(parts[0])
            let value = parts.count > 1 ? QueryString.percentDecode(parts[1]) : ""
            guard !name.isEmpty else { continue }
            try root.assign(value, at: try path(of: name), field: name)
        }
        return root.jsonValue
    }

    /// `args[0][text]` → `["args", "0", "text"]`; `[]` appends (nil).
    private static func path(of name: String) throws(SendRequestError) -> [String?] {
        guard let open = name.firstIndex(of: "["), open != name.startIndex, name.hasSuffix("]") else {
            return [name]
        }
        var segments: [String?] = [String(name[..<open])]
        var rest = name[open...]
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return [name] }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            segments.append(inner.isEmpty ? nil : String(inner))
            rest = rest[rest.index(after: close)...]
        }
        guard segments.count - 1 <= maxDepth else {
            throw SendRequestError("Form field '\(name)' is nested deeper than \(maxDepth) levels")
        }
        return segments
    }
}

/// One name level while a form body is decoded: a string value, or children by key.
private final class FormNode {
    private var value: String?
    private var children: [String: FormNode] = [:]
    private var order: [String] = []

    func assign(_ newValue: String, at path: some Collection<String?>, field: String) throws(SendRequestError) {
        guard let segment = path.first else {
            try store(newValue, field: field)
            return
        }
        if value != nil { try convertValueToList(field: field) }
        let key = segment ?? String(nextIndex)
        let child: FormNode
        if let existing = children[key] {
            child = existing
        } else {
            child = FormNode()
            children[key] = child
            order.append(key)
        }
        try child.assign(newValue, at: path.dropFirst(), field: field)
    }

    private func store(_ newValue: String, field: String) throws(SendRequestError) {
        if value == nil, children.isEmpty {
            value = newValue
            return
        }
        if value != nil { try convertValueToList(field: field) }
        guard isList else { throw SendRequestError("Form field '\(field)' is both a value and a group") }
        let child = FormNode()
        child.value = newValue
        let key = String(nextIndex)
        children[key] = child
        order.append(key)
    }

    /// `a=1&a=2` or `a=1&a[]=2`: the earlier value becomes the list's first element.
    private func convertValueToList(field: String) throws(SendRequestError) {
        guard let existing = value else { return }
        let child = FormNode()
        child.value = existing
        value = nil
        children["0"] = child
        order.insert("0", at: 0)
    }

    private var isList: Bool {
        order.allSatisfy { Int($0) != nil }
    }

    private var nextIndex: Int {
        (order.compactMap { Int($0) }.max() ?? -1) + 1
    }

    var jsonValue: JSONValue {
        if let value { return .string(value) }
        if !order.isEmpty, isList {
            let indexed = order.compactMap { key in Int(key).map { (index: $0, key: key) } }
            return .array(indexed.sorted { $0.index < $1.index }.compactMap { children[$0.key]?.jsonValue })
        }
        var members: [String: JSONValue] = [:]
        for key in order {
            members[key] = children[key]?.jsonValue
        }
        return .object(members)
    }
}
