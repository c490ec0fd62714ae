import Yams

/// Parses YAML text into a tree of `YAMLValue`s, turning libyaml's errors into located `ConfigurationError`s.
enum YAMLDocument {
    /// The document's root, or nil when the text holds no document (an empty or comment-only file).
    static func parse(_ yaml: String, file: String) throws(ConfigurationError) -> YAMLValue? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw configurationError(from: error, yaml: yaml, file: file)
        } catch {
            throw ConfigurationError(file: file, message: "cannot parse YAML: \(error)")
        }
        return root.map { YAMLValue(node: $0, keyPath: "", file: file) }
    }

    private static func configurationError(from error: YamlError, yaml: String, file: String) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: " + [context?.text, problem].compactMap { $0 }.joined(separator: ", ")
            if isTab(atLine: mark.line, column: mark.column, in: yaml) {
                message += " (indent with spaces: YAML does not allow tabs)"
            }
            return ConfigurationError(file: file, line: mark.line, column: mark.column, message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigurationError(
                file: file,
                line: context.mark.line,
                column: context.mark.column,
                message: "invalid YAML: duplicate key \(keys) in the same mapping"
            )
        case .reader(let problem, let offset, _, _):
            let mark = offset.map { position(ofCharacterOffset: $0, in: yaml) }
            return ConfigurationError(file: file, line: mark?.line, column: mark?.column, message: "invalid YAML: \(problem)")
        default:
            return ConfigurationError(file: file, message: "invalid YAML: \(error)")
        }
    }

    /// Whether the character at a 1-based position is a tab, the usual cause of "cannot start any token".
    private static func isTab(atLine line: Int, column: Int, in text: String) -> Bool {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else {
            return false
        }
        let scalars = Array(lines[line - 1].unicodeScalars)
        return column >= 1 && column <= scalars.count && scalars[column - 1] == "\t"
    }

    /// 1-based line and column of the character at `offset`, for reader errors that only carry an offset.
    private static func position(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
