/// The process environment as the configuration sees it: an empty variable counts as unset, as in the Node service
/// (`process.env.PORT || config.port`), so `PORT=` in a compose file does not break startup.
struct EnvironmentVariables: Sendable {
    private let values: [String: String]

    init(_ values: [String: String]) {
        self.values = values
    }

    /// The variable's value, or nil when it is unset or empty.
    subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else {
            return nil
        }
        return value
    }

    /// The variable as an integer within `range`, or nil when unset; `requirement` completes "must be …".
    func integer(_ name: String, in range: ClosedRange<Int>, _ requirement: String) throws(ConfigurationError) -> Int? {
        guard let text = self[name] else {
            return nil
        }
        guard text.allSatisfy(\.isASCII), let value = Int(text), range.contains(value) else {
            throw .environment(name, "must be \(requirement)")
        }
        return value
    }
}
