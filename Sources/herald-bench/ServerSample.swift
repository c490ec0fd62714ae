import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The server process's CPU time and resident memory at one instant, read from /proc, so the bench can charge
/// the server's cost to the deliveries or connections of the measured window.
struct ServerSample: Sendable {
    /// CPU time in user mode, in microseconds.
    let userMicros: Double
    /// CPU time in the kernel on the server's behalf (system calls, and the TCP work they do), in microseconds.
    let systemMicros: Double
    /// Resident set size in KiB (VmRSS).
    let rssKiB: Double

    /// The sum over `pids` (the instances of one cluster); nil when `pids` is empty or any of them cannot be read.
    static func read(pids: [Int32]) -> ServerSample? {
        guard !pids.isEmpty else { return nil }
        var user = 0.0
        var system = 0.0
        var rss = 0.0
        for pid in pids {
            guard let one = read(pid: pid) else { return nil }
            user += one.userMicros
            system += one.systemMicros
            rss += one.rssKiB
        }
        return ServerSample(userMicros: user, systemMicros: system, rssKiB: rss)
    }

    /// Reads the sample for `pid`; nil when the process is gone or /proc is unavailable.
    static func read(pid: Int32) -> ServerSample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let rssLine = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        let rss = rssLine.flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Double($0) } } ?? 0
        return ServerSample(userMicros: utime / ticksPerSecond * 1e6, systemMicros: stime / ticksPerSecond * 1e6, rssKiB: rss)
    }

    /// User plus system CPU time in microseconds.
    var cpuMicros: Double { userMicros + systemMicros }
}
