/// Why Herald refused its configuration, with the place to fix it.
///
/// Every error points at the file, line and column of the offending value (or at the environment variable),
/// so an operator can fix a deployment from the message alone: `sites.yml:12:5: demo.apiKey: must be a non-empty string`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The file the error is in, as it was given; nil when the error comes from the environment variables.
    public var file: String?
    /// 1-based line of the offending value, when known.
    public var line: Int?
    /// 1-based column of the offending value, when known.
    public var column: Int?
    /// Where the value sits in the document (`production.io.pingInterval`, `demo.tokens[2]`), or the name of the
    /// environment variable; nil for errors about a whole file.
    public var keyPath: String?
    /// What is wrong and, where it helps, what is expected.
    public var message: String

    /// Creates an error.
    public init(file: String?, line: Int? = nil, column: Int? = nil, keyPath: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// An error about an environment variable, `environment: PORT: must be an integer between 1 and 65535`.
    static func environment(_ variable: String, _ message: String) -> ConfigurationError {
        ConfigurationError(file: nil, keyPath: variable, message: message)
    }

    /// `file:line:column: key.path: message`; parts that are unknown are left out.
    public var description: String {
        var location = file ?? "environment"
        if let line {
            location += ":\(line)"
            if let column {
                location += ":\(column)"
            }
        }
        if let keyPath {
            return "\(location): \(keyPath): \(message)"
        }
        return "\(location): \(message)"
    }
}
