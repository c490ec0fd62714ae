import Foundation
import NIOConcurrencyHelpers

/// Where JSON log lines go; whole lines are written under a lock so lines from different threads never interleave.
public final class JSONLinesOutput: Sendable {
    private let lock = NIOLock()
    private let write: @Sendable (String) -> Void

    /// An output that hands each line to `write`.
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Standard output, flushed after each line so log shippers see entries at once.
    public static let standardOutput = JSONLinesOutput { line in
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    func write(_ line: String) {
        lock.withLock { write(line) }
    }
}
