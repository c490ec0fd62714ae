extension Duration {
    /// The duration in whole milliseconds, rounded up and at least 1, because libcurl reads 0 as "no limit".
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let (wholeMilliseconds, remainder) = attoseconds.quotientAndRemainder(dividingBy: attosecondsPerMillisecond)
        let total = seconds.multipliedReportingOverflow(by: 1000)
        guard !total.overflow else { return seconds > 0 ? Int.max : 1 }
        let milliseconds = total.partialValue + wholeMilliseconds + (remainder > 0 ? 1 : 0)
        return Int(clamping: max(milliseconds, 1))
    }
}
