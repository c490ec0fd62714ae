/// A parsed part of the configuration together with the warnings its parsing raised.
///
/// Warnings (unknown keys, settings without effect) never stop Herald: existing Node deployments carry keys Herald
/// does not use, and refusing them would break a drop-in replacement.
public struct ConfigurationResult<Value: Sendable>: Sendable {
    /// The parsed value.
    public var value: Value
    /// Human-readable warnings in the error format (`config.yml:9:3: production.winston: unknown key, ignored`).
    public var warnings: [String]

    /// Creates a result.
    public init(value: Value, warnings: [String]) {
        self.value = value
        self.warnings = warnings
    }
}

extension ConfigurationResult: Equatable where Value: Equatable {}
extension ConfigurationResult: Hashable where Value: Hashable {}
