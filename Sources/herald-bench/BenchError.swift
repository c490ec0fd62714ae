/// Why a bench run could not produce a result (as opposed to a result that shows losses).
enum BenchError: Error, CustomStringConvertible {
    /// A flag or its value is unusable.
    case usage(String)
    /// The server refused or broke the setup the scenario needs.
    case setup(String)

    var description: String {
        switch self {
        case .usage(let message): "usage: \(message)"
        case .setup(let message): message
        }
    }
}
