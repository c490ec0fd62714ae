import Foundation
import HeraldFuzzTargets
import Testing

/// Replays the committed fuzz corpus (`Tests/FuzzCorpus/<target>/`: hand-written seeds and every crash reproducer
/// `make fuzz` found) through each fuzz target, so a parser regression fails `swift test` without libFuzzer.
@Suite struct FuzzCorpusTests {
    private static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    private static func inputs(of target: FuzzTarget) throws -> [URL] {
        let directory = corpus.appendingPathComponent(target.rawValue)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyCorpusInputRunsWithoutCrashing(target: FuzzTarget) throws {
        let files = try Self.inputs(of: target)
        #expect(!files.isEmpty, "no seeds in Tests/FuzzCorpus/\(target.rawValue)")
        for file in files {
            target.run(Array(try Data(contentsOf: file)))
        }
    }
}
