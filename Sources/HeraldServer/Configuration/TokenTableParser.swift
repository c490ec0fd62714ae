import Herald
import Yams

/// Reads a site's `tokens:` table (token → rooms) for sites without an auth endpoint.
///
/// Tokens are secrets: errors locate a token by its line and index and give its length, never its text. A table
/// may hold a million tokens, so a valid entry is read straight from its nodes; the located values that errors
/// need are only made for an entry that is refused.
enum TokenTableParser {
    static func parse(_ tokens: YAMLValue) throws(ConfigurationError) -> [String: [String]] {
        let entries = try tokens.mapping().entries
        guard !entries.isEmpty else {
            throw tokens.error("must map at least one token to its rooms")
        }
        var table: [String: [String]] = [:]
        table.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            guard entry.keyNode.scalar?.tag == .str, entry.key.count >= SiteAuthentication.minimumTokenLength else {
                throw refusal(of: entry, index: index, in: tokens)
            }
            if let rooms = roomNames(entry.valueNode) {
                table[entry.key] = rooms
            } else {
                let rooms = YAMLValue(node: entry.valueNode, keyPath: "\(tokens.keyPath)[\(index)]", file: tokens.file)
                table[entry.key] = try rooms.sequence().map { room throws(ConfigurationError) in try room.nonEmptyString() }
            }
        }
        return table
    }

    /// The rooms of a list of non-empty strings, or nil for anything else (read again with located errors).
    private static func roomNames(_ node: YAMLNode) -> [String]? {
        guard case .sequence(let rooms) = node else { return nil }
        var names: [String] = []
        names.reserveCapacity(rooms.nodes.count)
        for room in rooms.nodes {
            guard let scalar = room.scalar, scalar.tag == .str, !scalar.string.isEmpty else { return nil }
            names.append(scalar.string)
        }
        return names
    }

    /// Why the token of `entry` is refused: not a string, or too short.
    private static func refusal(of entry: YAMLMapping.Entry, index: Int, in tokens: YAMLValue) -> ConfigurationError {
        let token = YAMLValue(node: entry.keyNode, keyPath: "\(tokens.keyPath)[\(index)]", file: tokens.file)
        guard token.isString else {
            return token.error("a token must be a string (quote it if it looks like a number; the token is not shown here)")
        }
        return token.error(
            "token is too short (\(entry.key.count) characters, at least \(SiteAuthentication.minimumTokenLength) required); "
                + "the token is not shown here"
        )
    }
}
