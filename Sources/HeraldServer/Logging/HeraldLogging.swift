public import Logging

/// Process-wide logging setup: JSON lines on standard output.
public enum HeraldLogging {
    /// Installs ``JSONLinesLogHandler`` for every logger of the process (call once, at start) and returns
    /// Herald's logger.
    public static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in JSONLinesLogHandler(label: label, logLevel: level) }
        var logger = Logger(label: "herald")
        logger.logLevel = level
        return logger
    }
}
