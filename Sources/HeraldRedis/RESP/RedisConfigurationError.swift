/// Why a Redis URL was rejected. The reason names the part that is wrong and never repeats the password,
/// so it can be shown to an operator as it is.
public struct RedisConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, for example `port "70000" is not a number from 1 to 65535`.
    public let reason: String

    /// An error with its reason.
    public init(_ reason: String) {
        self.reason = reason
    }

    /// `invalid Redis URL: <reason>`.
    public var description: String {
        "invalid Redis URL: \(reason)"
    }
}
