import Yams

/// Parses YAML text into a tree of `YAMLValue`s, turning libyaml's errors into located `ConfigurationError`s and
/// refusing text beyond the ``ConfigurationInputLimits``.
enum YAMLDocument {
    /// The document's root, or nil when the text holds no document (an empty or comment-only file); text beyond
    /// `limits` is refused before a node is built.
    static func parse(
        _ yaml: String,
        file: String,
        limits: ConfigurationInputLimits = ConfigurationInputLimits()
    ) throws(ConfigurationError) -> YAMLValue? {
        let bytes = yaml.utf8.count
        guard bytes <= limits.maxFileBytes else {
            throw ConfigurationFile.tooLarge(file: file, bytes: bytes, limit: limits.maxFileBytes)
        }
        let root: YAMLNode?
        do throws(YAMLComposer.Failure) {
            root = try YAMLComposer.compose(yaml, limits: limits)
        } catch {
            switch error {
            case .limit(let line, let column, let message):
                throw ConfigurationError(file: file, line: line, column: column, message: message)
            case .invalid:
                throw syntaxError(in: yaml, file: file, limits: limits)
            }
        }
        return root.map { YAMLValue(node: $0, keyPath: "", file: file) }
    }

    /// The error Yams' composer reports for text ``YAMLComposer`` found invalid, located and explained.
    ///
    /// libyaml refuses flow collections nested past 1000 levels itself, before the composer sees the first of them;
    /// that is reported like the composer's own depth limit.
    private static func syntaxError(in yaml: String, file: String, limits: ConfigurationInputLimits) -> ConfigurationError {
        do {
            _ = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            if case .parser(_, let problem, let mark, _) = error, problem.hasPrefix("Maximum nesting level reached") {
                return ConfigurationError(file: file, line: mark.line, column: mark.column, message: YAMLComposer.tooDeep(limits))
            }
            return configurationError(from: error, yaml: yaml, file: file)
        } catch {
            return ConfigurationError(file: file, message: "cannot parse YAML: \(error)")
        }
        return ConfigurationError(file: file, message: "invalid YAML")
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
        case .duplicatedKeysInMapping(_, let context):
            // Not the key itself: in a `tokens:` table the keys are users' tokens, and errors are logged.
            return ConfigurationError(
                file: file,
                line: context.mark.line,
                column: context.mark.column,
                message: "invalid YAML: a key here appears twice in the same mapping (keys are not shown: they may be tokens)"
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
