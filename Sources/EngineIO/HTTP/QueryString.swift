/// Parses `application/x-www-form-urlencoded` text, the form of URL query strings.
public enum QueryString {
    /// Decodes `a=1&b=x%20y` into a dictionary; a repeated key keeps its last value; `+` means space.
    public static func parse(_ query: Substring) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: "=") {
                result[percentDecode(pair[..<equals])] = percentDecode(pair[pair.index(after: equals)...])
            } else {
                result[percentDecode(pair)] = ""
            }
        }
        return result
    }

    /// Splits a request target into its path and decoded query.
    public static func split(target: String) -> (path: Substring, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target[...], [:]) }
        return (target[..<mark], parse(target[target.index(after: mark)...]))
    }

    /// Decodes `%XX` escapes and `+`; malformed escapes are kept as they are.
    public static func percentDecode(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"),
                let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), high != utf8.endIndex,
                let low = utf8.index(high, offsetBy: 1, limitedBy: utf8.endIndex), low != utf8.endIndex,
                let h = hexValue(utf8[high]), let l = hexValue(utf8[low])
            {
                bytes.append(h << 4 | l)
                index = low
            } else {
                bytes.append(byte)
            }
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
