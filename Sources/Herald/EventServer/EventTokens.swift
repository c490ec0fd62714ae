/// The tokens the event server accepts, read from its tokens file: one per line, surrounding white space removed,
/// lines shorter than ``minimumLength`` ignored (as the original service does).
///
/// Tokens are secrets: nothing here prints them, and a check compares the candidate with every token in constant
/// time per token, so the answer's timing tells neither which token nor how much of one matched.
public struct EventTokens: Sendable {
    /// Shortest token read from the file.
    public static let minimumLength = 16

    private let tokens: [String]

    /// The tokens of a tokens file's text.
    public init(fileContents: String) {
        tokens = fileContents.split(whereSeparator: \.isNewline).compactMap { line in
            let token = line.trimmingWhiteSpace()
            return token.count >= Self.minimumLength ? String(token) : nil
        }
    }

    /// How many tokens are accepted (for the log line of a load).
    public var count: Int { tokens.count }

    /// Checks `credentials` (`Basic <token>`, as an `Authorization` header or an init message's `authentication`).
    public func authenticate(_ credentials: String?) -> EventServerCode {
        guard let credentials, !credentials.isEmpty else { return .unauthenticated }
        // The original splits on the first space: the scheme, then the token up to the next space.
        let parts = credentials.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts[0] == "Basic" else { return .unrecognizedScheme }
        guard parts.count > 1, !parts[1].isEmpty else { return .unauthenticated }
        return accepts(String(parts[1])) ? .ok : .unauthenticated
    }

    private func accepts(_ candidate: String) -> Bool {
        var found = false
        for token in tokens where ConstantTime.equals(candidate, token) {
            found = true
        }
        return found
    }
}

extension Substring {
    fileprivate func trimmingWhiteSpace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
