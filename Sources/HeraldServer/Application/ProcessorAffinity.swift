import Foundation
import NIOCore
import NIOPosix

/// The CPUs this process may run on, as the kernel's affinity mask says (`taskset`, systemd `CPUAffinity=`).
///
/// SwiftNIO sizes its shared event-loop group from the machine's cores and cgroup limits, not from the affinity
/// mask; a Herald pinned to one core would otherwise run two busy loops that take turns on it.
public enum ProcessorAffinity {
    /// How many CPUs a `Cpus_allowed_list` value such as `0`, `0-3` or `0,2-3` names, or nil when it is malformed.
    static func cpuCount(allowedList: Substring) -> Int? {
        var count = 0
        for part in allowedList.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]) else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low else { return nil }
            count += high - low + 1
        }
        return count > 0 ? count : nil
    }

    /// CPUs in this process's affinity mask, read from `/proc/self/status`; nil where that cannot be read.
    public static func allowedCPUCount(status path: String = "/proc/self/status") -> Int? {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let prefix = "Cpus_allowed_list:"
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return cpuCount(allowedList: line.dropFirst(prefix.count).drop(while: \.isWhitespace))
    }

    /// Lowers the shared event-loop group to the affinity mask's CPU count when that is smaller than NIO's own
    /// choice. Call before anything uses `MultiThreadedEventLoopGroup.singleton`; returns the count applied.
    @discardableResult
    public static func sizeSharedEventLoops() -> Int? {
        guard let allowed = allowedCPUCount(), allowed < System.coreCount else { return nil }
        NIOSingletons.groupLoopCountSuggestion = allowed
        return allowed
    }
}
