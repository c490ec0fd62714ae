public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Process-wide logging setup: JSON lines on standard output.
public enum HeraldLogging {
    /// Longest wait at exit for queued lines to reach standard output: the last lines ("drained", the reason for a
    /// refused configuration) matter most, but a reader that is gone must not keep the process alive.
    public static let exitFlushSeconds = 2.0

    /// How long, once a graceful shutdown starts, log lines wait for a slow reader of standard output instead of
    /// being dropped, so the shutdown's own lines are not lost to the lines queued before them.
    public static let shutdownLinesSeconds = 3.0

    /// Installs ``JSONLinesLogHandler`` for every logger of the process (call once, at start) and returns
    /// Herald's logger. Lines are written by a background thread (``JSONLinesOutput/standardOutput``) and flushed
    /// when the process exits, however it exits normally (`exit`, the end of `main`).
    public static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in JSONLinesLogHandler(label: label, logLevel: level) }
        atexit { _ = JSONLinesOutput.standardOutput.flush(timeoutSeconds: HeraldLogging.exitFlushSeconds) }
        var logger = Logger(label: "herald")
        logger.logLevel = level
        return logger
    }
}
