package import SocketIO

/// Decodes `application/x-www-form-urlencoded` bodies as the Node service's body parser did (`qs`, the
/// `extended` form): `rooms[]=a&rooms[]=b`, `rooms=a&rooms=b`, `args[0][text]=hi`.
///
/// It never fails: like `qs`, any text gives some object, and the bounds below keep hostile bodies cheap. The
/// values are strings (or `true`, `qs`'s mark for a plain value merged into an object); what a `/send` request
/// needs from them is checked by ``SendRequestParser``.
package enum FormBodyDecoder {
    /// Fields read from one body; later ones are ignored (`qs`'s `parameterLimit`).
    package static let maxParameters = 1_000
    /// `[...]` levels read from one name; the rest of the name is one literal key (`qs`'s `depth`).
    package static let maxDepth = 5
    /// Highest `[n]` that is an array index; above it `n` is an object key (`qs`'s `arrayLimit`).
    package static let maxArrayIndex = 20

    /// The body as a JSON object.
    package static func decode(_ body: String) -> JSONValue {
        var fields = FormMap()
        for part in parameters(of: body) {
            let (name, value) = nameAndValue(of: part)
            fields.append(.string(value), at: name)
        }
        var root = FormValue.map(FormMap())
        for (name, value) in fields.entries where !name.isEmpty {
            root.merge(tree(for: segments(of: name), leaf: value))
        }
        return root.jsonValue
    }

    /// The body's first `maxParameters` `&`-separated parts, empty ones included as `qs` counts them, after
    /// `%5B` and `%5D` became brackets.
    private static func parameters(of body: String) -> [Substring] {
        let text = bracketsDecoded(body)
        return Array(text.split(separator: "&", maxSplits: maxParameters, omittingEmptySubsequences: false).prefix(maxParameters))
    }

    private static func bracketsDecoded(_ body: String) -> String {
        let bytes = Array(body.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return body }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "5") {
                switch bytes[index + 2] {
                case UInt8(ascii: "B"), UInt8(ascii: "b"):
                    output.append(UInt8(ascii: "["))
                    index += 3
                    continue
                case UInt8(ascii: "D"), UInt8(ascii: "d"):
                    output.append(UInt8(ascii: "]"))
                    index += 3
                    continue
                default: break
                }
            }
            output.append(bytes[index])
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `name=value`, split at the `=` after a `]` when there is one (`a[b=c]=d` names `a[b=c]`), else at the first.
    private static func nameAndValue(of part: Substring) -> (String, String) {
        let bytes = part.utf8
        var split: Substring.UTF8View.Index?
        var previous: UInt8 = 0
        for index in bytes.indices {
            if bytes[index] == UInt8(ascii: "="), previous == UInt8(ascii: "]") {
                split = index
                break
            }
            previous = bytes[index]
        }
        guard let equals = split ?? bytes.firstIndex(of: UInt8(ascii: "=")) else { return (componentDecoded(part), "") }
        return (componentDecoded(part[..<equals]), componentDecoded(part[bytes.index(after: equals)...]))
    }

    /// `+` as a space, then `%XX` escapes decoded as `decodeURIComponent` does; when an escape is malformed or the
    /// bytes are not UTF-8, the text is kept as it is (with its `+` replaced), as `qs` does.
    private static func componentDecoded(_ text: Substring) -> String {
        var bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] == UInt8(ascii: "+") {
            bytes[index] = UInt8(ascii: " ")
        }
        guard bytes.contains(UInt8(ascii: "%")) else { return String(decoding: bytes, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                decoded.append(bytes[index])
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                return String(decoding: bytes, as: UTF8.self)
            }
            decoded.append(high << 4 | low)
            index += 3
        }
        return String(validating: decoded, as: UTF8.self) ?? String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A name's parts: the text before its first `[...]` group, then up to `maxDepth` groups (text between groups
    /// is skipped, as `qs` skips it), then the rest from the next group on as one bracketed literal:
    /// `a[b][c]` → `a`, `[b]`, `[c]`. A group is `[` and `]` with no bracket between them.
    private static func segments(of name: String) -> [String] {
        let bytes = Array(name.utf8)
        var groups: [Range<Int>] = []
        var remainder: Int?
        var open: Int?
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "[") {
                open = index
            } else if byte == UInt8(ascii: "]"), let start = open {
                open = nil
                guard groups.count < maxDepth else {
                    remainder = start
                    break
                }
                groups.append(start..<index + 1)
            }
        }
        let text = { (range: Range<Int>) in String(decoding: bytes[range], as: UTF8.self) }
        var parts: [String] = []
        let parentEnd = groups.first?.lowerBound ?? bytes.count
        if parentEnd > 0 { parts.append(text(0..<parentEnd)) }
        parts.append(contentsOf: groups.map(text))
        if let remainder { parts.append("[" + text(remainder..<bytes.count) + "]") }
        return parts
    }

    /// One field as a value of its own: `a[b][]` with `x` is `{a: {b: [x]}}`; `[n]` up to `maxArrayIndex` is an
    /// array holding the value at index `n` (the holes are dropped later).
    private static func tree(for segments: [String], leaf: FormValue) -> FormValue {
        var value = leaf
        for segment in segments.reversed() {
            if segment == "[]" {
                if case .list(let items) = value {
                    value = .list(items)
                } else {
                    value = .list([value])
                }
                continue
            }
            let isBracketed = segment.utf8.count >= 2 && segment.hasPrefix("[") && segment.hasSuffix("]")
            let key = isBracketed ? String(segment.dropFirst().dropLast()) : segment
            if isBracketed, let index = FormMap.arrayIndex(key), index <= maxArrayIndex {
                value = .list([FormValue?](repeating: nil, count: Int(index)) + [value])
            } else {
                var map = FormMap()
                map.set(value, for: key)
                value = .map(map)
            }
        }
        return value
    }
}
