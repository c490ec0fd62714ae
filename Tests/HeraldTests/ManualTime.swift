import NIOConcurrencyHelpers

@testable import Herald

/// Monotonic time that tests move by hand.
final class ManualTime: Sendable {
    private let current = NIOLockedValueBox<Duration>(.zero)

    /// The time source to inject.
    var source: MonotonicTime {
        { [current] in current.withLockedValue { $0 } }
    }

    /// Moves time forward by `duration`.
    func advance(by duration: Duration) {
        current.withLockedValue { $0 += duration }
    }
}
