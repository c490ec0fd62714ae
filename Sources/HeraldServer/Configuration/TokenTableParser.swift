import Herald

/// Reads a site's `tokens:` table (token → rooms) for sites without an auth endpoint.
///
/// Tokens are secrets: errors locate a token by its line and index and give its length, never its text.
enum TokenTableParser {
    static func parse(_ tokens: YAMLValue) throws(ConfigurationError) -> [String: [String]] {
        let entries = try tokens.mapping().entries
        guard !entries.isEmpty else {
            throw tokens.error("must map at least one token to its rooms")
        }
        var table: [String: [String]] = [:]
        for (index, entry) in entries.enumerated() {
            let token = YAMLValue(node: entry.keyNode, keyPath: "\(tokens.keyPath)[\(index)]", file: tokens.file)
            guard token.isString else {
                throw token.error("a token must be a string (quote it if it looks like a number; the token is not shown here)")
            }
            let length = entry.key.count
            guard length >= SiteAuthentication.minimumTokenLength else {
                throw token.error(
                    "token is too short (\(length) characters, at least \(SiteAuthentication.minimumTokenLength) required); "
                        + "the token is not shown here"
                )
            }
            let rooms = YAMLValue(node: entry.value.node, keyPath: token.keyPath, file: tokens.file)
            table[entry.key] = try rooms.sequence().map { room throws(ConfigurationError) in try room.nonEmptyString() }
        }
        return table
    }
}
