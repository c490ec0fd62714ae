import Foundation

/// The result of one scenario: printed as a table for people and written as JSON for the harness.
struct BenchReport: Encodable {
    /// Scenario name (`fanout`, `connect`, `idle`).
    let scenario: String
    /// Server URL measured.
    let server: String
    /// The parameters the run used, as given.
    var parameters: [String: String] = [:]
    /// Every measured number, by name (units in the name).
    var results: [String: Double] = [:]
    /// Failed connections by reason.
    var failures: [String: Int] = [:]
    /// Names of `results` in the order the table shows them.
    private var order: [String] = []

    private enum CodingKeys: String, CodingKey {
        case scenario, server, parameters, results, failures
    }

    /// Creates an empty report.
    init(scenario: String, server: String) {
        self.scenario = scenario
        self.server = server
    }

    /// Sets a result, remembering its table position.
    mutating func set(_ name: String, _ value: Double) {
        if results.updateValue(value, forKey: name) == nil { order.append(name) }
    }

    /// The human table.
    var table: String {
        var lines = ["herald-bench \(scenario) against \(server)"]
        for key in parameters.keys.sorted() {
            lines.append("  \(key.padding(toLength: 28, withPad: " ", startingAt: 0)) \(parameters[key] ?? "")")
        }
        lines.append("  " + String(repeating: "-", count: 44))
        for name in order {
            let value = results[name] ?? 0
            let text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.2f", value)
            lines.append("  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(text)")
        }
        for (reason, count) in failures.sorted(by: { $0.value > $1.value }) { lines.append("  failed: \(count) × \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// Writes the JSON form to `path`.
    func write(json path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
}
