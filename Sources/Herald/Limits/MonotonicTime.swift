/// Time since an arbitrary fixed origin, never going back; what rate limits measure elapsed time with.
public typealias MonotonicTime = @Sendable () -> Duration

/// Monotonic time of the process: the continuous clock, counted from the first call of this function's result.
public func continuousTime() -> MonotonicTime {
    let origin = ContinuousClock.now
    return { ContinuousClock.now - origin }
}
