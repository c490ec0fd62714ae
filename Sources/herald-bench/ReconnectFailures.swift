import NIOConcurrencyHelpers

/// Reasons reconnecting clients failed, collected from the reliable scenario's concurrent drop tasks.
final class ReconnectFailures: Sendable {
    private let box = NIOLockedValueBox<[String: Int]>([:])

    /// Counts one failure, grouped by reason with a `rejoin:` prefix.
    func add(_ reason: String) {
        box.withLockedValue { $0["rejoin: \(reason)", default: 0] += 1 }
    }

    /// Every failure so far.
    var all: [String: Int] { box.withLockedValue { $0 } }
}
