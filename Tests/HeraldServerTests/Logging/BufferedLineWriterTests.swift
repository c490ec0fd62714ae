import Dispatch
import NIOConcurrencyHelpers
import Prometheus
import Testing

@testable import HeraldServer

/// A destination that takes nothing until the test opens it, as a log shipper that stopped reading.
private final class StalledSink: Sendable {
    private let entered = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)
    private let written = NIOLockedValueBox("")
    private let calls = NIOLockedValueBox(0)

    /// Everything written so far.
    var text: String { written.withLockedValue { $0 } }

    func write(_ bytes: UnsafeRawBufferPointer) {
        if calls.withLockedValue({ count in
            count += 1
            return count == 1
        }) {
            entered.signal()
            gate.wait()
        }
        written.withLockedValue { $0 += String(decoding: bytes, as: UTF8.self) }
    }

    /// Waits until the writer is stuck in its first write.
    func waitUntilStalled() -> Bool {
        entered.wait(timeout: .now() + 5) == .success
    }

    /// Lets the writer go on.
    func open() {
        gate.signal()
    }
}

@Suite struct BufferedLineWriterTests {
    private func makeWriter(capacity: Int, sink: StalledSink) -> BufferedLineWriter {
        BufferedLineWriter(capacity: capacity, sink: { sink.write($0) }, notice: { "dropped \($0)\n" })
    }

    /// Runs `writes` on another thread and tells whether they returned while the reader stays stalled. A writer that
    /// waited for the reader would never return, so the generous bound only turns that hang into a failure.
    private func returnsWhileTheReaderIsStalled(_ writes: @escaping @Sendable () -> Void) -> Bool {
        let returned = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            writes()
            returned.signal()
        }
        return returned.wait(timeout: .now() + 30) == .success
    }

    @Test func linesBeyondTheCapacityAreDroppedCountedAndReportedOnceTheReaderIsBack() throws {
        let sink = StalledSink()
        let writer = makeWriter(capacity: 100, sink: sink)
        defer { writer.stop() }
        writer.write("first\n")
        try #require(sink.waitUntilStalled())
        let lines = (0..<10).map { "line \($0) of twenty\n" }  // 17 bytes each: five fit
        for line in lines {
            writer.write(line)
        }
        #expect(writer.droppedLines == 5)

        sink.open()
        #expect(writer.flush(timeoutSeconds: 5))
        writer.write("after\n")
        #expect(writer.flush(timeoutSeconds: 5))
        #expect(sink.text == "first\n" + lines.prefix(5).joined() + "dropped 5\n" + "after\n")
        #expect(writer.droppedLines == 5)
    }

    @Test func writingNeverWaitsForAStalledReader() throws {
        let sink = StalledSink()
        let writer = makeWriter(capacity: 4096, sink: sink)
        defer {
            sink.open()
            writer.stop()
        }
        writer.write("first\n")
        try #require(sink.waitUntilStalled())
        let wroteEverything = returnsWhileTheReaderIsStalled {
            for index in 0..<100_000 {
                writer.write("a log line that nobody reads, number \(index)\n")
            }
        }
        #expect(wroteEverything)
        #expect(writer.droppedLines > 99_000)
        #expect(!writer.flush(timeoutSeconds: 0.05))
    }

    @Test func whileLinesAreKeptALineThatDoesNotFitWaitsForTheReaderInsteadOfBeingDropped() throws {
        let sink = StalledSink()
        let writer = makeWriter(capacity: 36, sink: sink)
        defer { writer.stop() }
        writer.write("first\n")
        try #require(sink.waitUntilStalled())
        writer.write("queued while the reader is away\n")  // 32 of 36 bytes: the next line does not fit
        writer.keepLines(forAtMost: 10)
        let finalLineQueued = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            writer.write("drained\n")  // does not fit until the writer takes the queue
            finalLineQueued.signal()
        }
        sink.open()
        #expect(finalLineQueued.wait(timeout: .now() + 5) == .success)
        #expect(writer.flush(timeoutSeconds: 5))
        #expect(sink.text == "first\nqueued while the reader is away\ndrained\n")
        #expect(writer.droppedLines == 0)
    }

    @Test func keptLinesAreDroppedAgainOnceTheirTimeIsUp() throws {
        let sink = StalledSink()
        let writer = makeWriter(capacity: 36, sink: sink)
        defer {
            sink.open()
            writer.stop()
        }
        writer.write("first\n")
        try #require(sink.waitUntilStalled())
        writer.write("queued while the reader is away\n")
        writer.keepLines(forAtMost: 0.1)
        let gaveUp = returnsWhileTheReaderIsStalled {
            writer.write("waits at most a tenth of a second\n")
            writer.write("then is dropped at once\n")
        }
        #expect(gaveUp)
        #expect(writer.droppedLines == 2)
    }

    @Test func theMetricCatchesUpWithTheDropsAtEachScrape() throws {
        let sink = StalledSink()
        let writer = makeWriter(capacity: 10, sink: sink)
        defer {
            sink.open()
            writer.stop()
        }
        let registry = PrometheusCollectorRegistry()
        let metric = LogLinesDroppedMetric(registry: registry, output: JSONLinesOutput(writer: writer))
        metric.update()
        #expect(String(decoding: registry.emitToBuffer(), as: UTF8.self).contains("herald_log_lines_dropped_total 0\n"))

        writer.write("first\n")
        try #require(sink.waitUntilStalled())
        for _ in 0..<3 {
            writer.write("too long to fit\n")
        }
        metric.update()
        metric.update()
        #expect(String(decoding: registry.emitToBuffer(), as: UTF8.self).contains("herald_log_lines_dropped_total 3\n"))
    }

    @Test func theDroppedNoticeIsAJSONLineLikeTheOthers() throws {
        let line = JSONLinesOutput.droppedNotice(42)
        #expect(line.hasSuffix("}\n"))
        #expect(
            line.contains(#""level":"warning","message":"42 log lines dropped: standard output was not read fast enough","dropped":"42"}"#)
        )
    }
}
