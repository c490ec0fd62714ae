/// Finds the byte ranges of a container's elements or members in compact JSON text that ``JSONValidator`` already
/// accepted: it only tracks strings and brackets, so it checks nothing and never fails.
enum JSONStructure {
    /// One element (no key) or member of a container.
    struct Part {
        var key: String?
        var value: Range<Int>
    }

    /// The parts of the array or object `bytes` holds, in order.
    static func parts(of bytes: UnsafeRawBufferPointer) -> [Part] {
        guard bytes.count > 2 else { return [] }
        let isObject = bytes[0] == UInt8(ascii: "{")
        var parts: [Part] = []
        var index = 1
        while index < bytes.count - 1 {
            var key: String?
            if isObject {
                let keyEnd = endOfString(in: bytes, from: index)
                key = decodedKey(UnsafeRawBufferPointer(rebasing: bytes[index..<keyEnd]))
                index = keyEnd + 1
            }
            let end = endOfValue(in: bytes, from: index)
            parts.append(Part(key: key, value: index..<end))
            index = end + 1
        }
        return parts
    }

    /// The index just past the value starting at `start`.
    private static func endOfValue(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return endOfString(in: bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while true {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index = endOfString(in: bytes, from: index)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
        default:
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"): return index
                default: index += 1
                }
            }
            return index
        }
    }

    /// The index just past the string whose opening quote is at `start`.
    private static func endOfString(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start + 1
        while true {
            index = JSONValidator.endOfPlainText(in: bytes, from: index)
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
    }

    /// A member's key from its quoted text; escapes are decoded by the parser.
    private static func decodedKey(_ quoted: UnsafeRawBufferPointer) -> String {
        let inner = UnsafeRawBufferPointer(rebasing: quoted[1..<(quoted.count - 1)])
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        return (try? JSONValue(parsing: String(decoding: quoted, as: UTF8.self)))?.stringValue ?? ""
    }
}
