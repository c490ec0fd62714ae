import Logging
import NIOConcurrencyHelpers

/// Log lines kept in memory, for tests that check what was logged and how often.
final class CapturedLogs: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
    }

    private let box = NIOLockedValueBox<[Line]>([])

    /// Every line logged so far.
    var lines: [Line] {
        box.withLockedValue { $0 }
    }

    /// A logger writing here, at `trace` and above.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(logs: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: Line) {
        box.withLockedValue { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.append(Line(level: event.level, message: "\(event.message)"))
        }
    }
}
