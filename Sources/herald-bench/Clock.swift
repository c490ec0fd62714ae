#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock microseconds since the Unix epoch: payload timestamps use the wall clock so that any server and any
/// process on this machine can be measured against the same time base.
enum WallClock {
    /// The current time in microseconds since 1970-01-01.
    static func microseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
