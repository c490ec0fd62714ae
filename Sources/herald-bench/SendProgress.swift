import NIOConcurrencyHelpers

/// How many `/send` calls have been answered so far, so work that must happen part-way through a run at max
/// rate (the reliable scenario's drops) can wait for a point in the sending rather than a point in time.
final class SendProgress: Sendable {
    private let answered = NIOLockedValueBox(0)

    /// Counts one answered call.
    func increment() { answered.withLockedValue { $0 += 1 } }

    /// Calls answered so far.
    var count: Int { answered.withLockedValue { $0 } }

    /// Returns once at least `target` calls were answered (every call is answered, with a status or an error).
    func wait(for target: Int) async {
        while count < target {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}
