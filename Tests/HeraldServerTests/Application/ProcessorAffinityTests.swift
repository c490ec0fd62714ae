import Foundation
import Testing

@testable import HeraldServer

/// Herald runs as many event loops as the CPUs it may run on: the kernel's `Cpus_allowed_list` read right.
@Suite struct ProcessorAffinityTests {
    @Test(arguments: [("0", 1), ("0-3", 4), ("0,2-3", 3), ("1,3,5-7", 5)])
    func allowedListsCountTheirCPUs(list: String, expected: Int) {
        #expect(ProcessorAffinity.cpuCount(allowedList: Substring(list)) == expected)
    }

    @Test(arguments: ["", "a", "3-1", "0-", "-2", "0-1-2", "0,,1"])
    func malformedListsCountNothing(list: String) {
        #expect(ProcessorAffinity.cpuCount(allowedList: Substring(list)) == nil)
    }

    @Test func theCountComesFromTheStatusFilesAllowedListLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try "Name:\therald\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed_list:\t0\n"
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(ProcessorAffinity.allowedCPUCount(status: file.path) == 2)
        #expect(ProcessorAffinity.allowedCPUCount(status: file.path + "-missing") == nil)
    }

    @Test func thisProcessMayRunOnAtLeastOneCPU() throws {
        let count = try #require(ProcessorAffinity.allowedCPUCount())
        #expect(count >= 1)
    }
}
