import Foundation
public import Logging
import SocketIO

/// Writes each log entry as one JSON object per line on standard output, with the fields of the Node service's
/// logs (`message`, `site`, `requestId`, `socketId`, `deviceId`, `rooms`, `event`) beside `time` and `level`.
///
/// Secrets never reach the output: metadata keys naming credentials are dropped whatever their value.
public struct JSONLinesLogHandler: LogHandler {
    /// Metadata keys that are never written.
    public static let redactedKeys: Set<String> = ["apiKey", "apikey", "token", "authorization", "Authorization"]

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let label: String
    private let output: JSONLinesOutput

    /// Creates a handler for `label` writing at `logLevel` and above to `output`.
    public init(label: String, logLevel: Logger.Level = .info, output: JSONLinesOutput = .standardOutput) {
        self.label = label
        self.logLevel = logLevel
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = "{\"time\":"
        JSONValue.string(Self.timestamp()).write(to: &line)
        line += ",\"level\":"
        JSONValue.string(event.level.rawValue).write(to: &line)
        line += ",\"message\":"
        JSONValue.string(event.message.description).write(to: &line)
        for (key, value) in merged.sorted(by: { $0.key < $1.key })
        where !Self.redactedKeys.contains(key) && key != "time" && key != "level" && key != "message" {
            line += ","
            JSONValue.string(key).write(to: &line)
            line += ":"
            Self.json(value).write(to: &line)
        }
        line += "}\n"
        output.write(line)
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let elements): .array(elements.map(json))
        case .dictionary(let members):
            .object(members.filter { !redactedKeys.contains($0.key) }.mapValues(json))
        }
    }

    /// The current time as the `time` field writes it.
    static func timestamp() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
