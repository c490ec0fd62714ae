import Logging

/// Retries a store update that failed because the store could not be reached, with pauses that double from
/// ``firstPause`` up to ``longestPause``, for at most ``window`` (or until cancelled).
///
/// An ack the client sent must not be lost to a Redis restart or to a cluster subscription that came back before
/// the store connection: dropping it brings the acknowledged message back in the device's next `_batch`.
struct StoreRetry: Sendable {
    /// The pause after the first failure.
    var firstPause: Duration = .milliseconds(100)
    /// The longest pause between two attempts.
    var longestPause: Duration = .seconds(2)
    /// How long after the first attempt the update is given up (logged as an error; an ack's message then comes
    /// again in the next `_batch`); nil retries until the task is cancelled.
    var window: Duration? = .seconds(60)

    /// Runs `update` until it succeeds, the window ends or the task is cancelled; true when it succeeded. The first
    /// failure is logged as a warning, giving up as an error; `metadata` is built only when something is logged.
    func run(
        _ what: String,
        logger: Logger,
        metadata: @autoclosure () -> Logger.Metadata,
        _ update: () async throws(StoreError) -> Void
    ) async -> Bool {
        let clock = ContinuousClock()
        let deadline = window.map { clock.now.advanced(by: $0) }
        var pause = firstPause
        var failures = 0
        while true {
            do {
                try await update()
                if failures > 0 {
                    logger.info("\(what) recorded after \(failures) failed attempt(s)", metadata: metadata())
                }
                return true
            } catch {
                failures += 1
                guard !Task.isCancelled else {
                    logger.debug("\(what) stopped with its socket after \(failures) failed attempt(s)", metadata: metadata())
                    return false
                }
                guard deadline.map({ clock.now.advanced(by: pause) < $0 }) ?? true else {
                    logger.error("\(what) not recorded, given up after \(failures) attempt(s): \(error)", metadata: metadata())
                    return false
                }
                if failures == 1 {
                    logger.warning("\(what) not recorded yet: \(error); retrying", metadata: metadata())
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, longestPause)
            }
        }
    }
}
