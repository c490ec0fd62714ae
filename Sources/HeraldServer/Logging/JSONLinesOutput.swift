import Foundation
import NIOConcurrencyHelpers
import SocketIO

/// Where JSON log lines go; whole lines are written at once so lines from different threads never interleave.
public final class JSONLinesOutput: Sendable {
    private enum Destination: Sendable {
        /// Each line handed to a closure under a lock, on the logging thread (tests collect lines this way).
        case direct(NIOLock, @Sendable (String) -> Void)
        /// Lines queued for a writer thread, dropped and counted when the queue is full.
        case buffered(BufferedLineWriter)
    }

    private let destination: Destination

    /// An output that hands each line to `write` at once, on the thread that logs.
    public init(write: @escaping @Sendable (String) -> Void) {
        destination = .direct(NIOLock(), write)
    }

    /// An output whose lines a background thread writes to `fileDescriptor`, at most `bufferBytes` queued.
    convenience init(fileDescriptor: Int32, bufferBytes: Int) {
        self.init(
            writer: BufferedLineWriter(
                capacity: bufferBytes,
                sink: { bytes in FileDescriptorSink.write(bytes, to: fileDescriptor) },
                notice: Self.droppedNotice
            )
        )
    }

    /// An output whose lines `writer` writes.
    init(writer: BufferedLineWriter) {
        destination = .buffered(writer)
    }

    /// Default bytes of log lines queued for standard output.
    public static let defaultBufferBytes = 1 << 20

    /// The environment variable that sets the bytes queued for standard output.
    public static let bufferBytesVariable = "HERALD_LOG_BUFFER_BYTES"

    /// Standard output, written by a background thread so a stalled reader never stalls the event loops: up to
    /// `HERALD_LOG_BUFFER_BYTES` (default 1 MiB) of lines wait for it, later lines are dropped and counted
    /// (``droppedLines``, `herald_log_lines_dropped_total`) and a line saying how many follows once it reads again.
    public static let standardOutput = JSONLinesOutput(
        fileDescriptor: STDOUT_FILENO,
        bufferBytes: ProcessInfo.processInfo.environment[bufferBytesVariable].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
            ?? defaultBufferBytes
    )

    /// Lines dropped because the reader did not keep up, since the start; always 0 for a direct output.
    public var droppedLines: Int {
        switch destination {
        case .direct: 0
        case .buffered(let writer): writer.droppedLines
        }
    }

    /// Waits until the lines logged so far are written, for at most `timeoutSeconds`; false when they were not.
    @discardableResult
    public func flush(timeoutSeconds: Double) -> Bool {
        switch destination {
        case .direct: true
        case .buffered(let writer): writer.flush(timeoutSeconds: timeoutSeconds)
        }
    }

    /// From now until `seconds` have passed, lines wait for room instead of being dropped (the last lines of a
    /// graceful shutdown); a direct output never drops.
    public func keepLines(forAtMost seconds: Double) {
        if case .buffered(let writer) = destination {
            writer.keepLines(forAtMost: seconds)
        }
    }

    func write(_ line: String) {
        switch destination {
        case .direct(let lock, let write): lock.withLock { write(line) }
        case .buffered(let writer): writer.write(line)
        }
    }

    /// The line that reports dropped lines, in the format of the other lines.
    static func droppedNotice(_ count: Int) -> String {
        var line = "{\"time\":"
        JSONValue.string(JSONLinesLogHandler.timestamp()).write(to: &line)
        line += ",\"level\":\"warning\",\"message\":"
        JSONValue.string("\(count) log lines dropped: standard output was not read fast enough").write(to: &line)
        line += ",\"dropped\":"
        JSONValue.string("\(count)").write(to: &line)
        return line + "}\n"
    }
}
