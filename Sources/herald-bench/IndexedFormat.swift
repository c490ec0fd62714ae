/// A printf-like pattern with one integer placeholder (`%d` or `%0Nd`), used to derive each client's token and
/// device id from its index so the bench and the server's tokens table agree without sharing a file.
struct IndexedFormat: Sendable {
    private let prefix: String
    private let suffix: String
    private let width: Int

    /// Parses `pattern`; a pattern without a placeholder yields the same string for every index.
    init(_ pattern: String) {
        guard let percent = pattern.firstIndex(of: "%") else {
            prefix = pattern
            suffix = ""
            width = -1
            return
        }
        var cursor = pattern.index(after: percent)
        var digits = ""
        while cursor < pattern.endIndex, pattern[cursor].isNumber {
            digits.append(pattern[cursor])
            cursor = pattern.index(after: cursor)
        }
        guard cursor < pattern.endIndex, pattern[cursor] == "d" else {
            prefix = pattern
            suffix = ""
            width = -1
            return
        }
        prefix = String(pattern[..<percent])
        suffix = String(pattern[pattern.index(after: cursor)...])
        width = Int(digits) ?? 0
    }

    /// The pattern with `index` in place of its placeholder, zero-padded to the placeholder's width.
    func callAsFunction(_ index: Int) -> String {
        guard width >= 0 else { return prefix }
        let digits = String(index)
        let padding = String(repeating: "0", count: max(0, width - digits.count))
        return prefix + padding + digits + suffix
    }
}
