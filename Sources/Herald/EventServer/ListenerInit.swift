import SocketIO

/// A listener's init message, `{"authentication": "Basic <token>", "events": ["<type>", ...]}`, as read by the
/// original service: any JSON, an `events` array required, the credentials checked afterwards.
public struct ListenerInit: Sendable, Hashable {
    /// The credentials, when `authentication` is a string.
    public var authentication: String?
    /// The event types to receive (string elements of `events`; others are ignored), without repeats.
    public var events: Set<String>

    /// Why an init message is refused before its credentials are looked at.
    public enum Refusal: Error, Sendable, Hashable {
        /// Not JSON: answered `INVALID_SYNTAX`.
        case invalidSyntax
        /// No `events` array: answered `INVALID_EVENTS_MISSING`.
        case eventsMissing
        /// More event types than a listener may have: the listener is closed (a bound the original lacked).
        case tooManyEvents

        /// The init answer's code, or nil when the listener is closed instead.
        public var code: EventServerCode? {
            switch self {
            case .invalidSyntax: .invalidSyntax
            case .eventsMissing: .eventsMissing
            case .tooManyEvents: nil
            }
        }
    }

    /// Creates an init message.
    public init(authentication: String?, events: Set<String>) {
        self.authentication = authentication
        self.events = events
    }

    /// Reads a listener's message; at most `maxEvents` distinct event types are accepted.
    public static func parse(_ text: String, maxEvents: Int) -> Result<ListenerInit, Refusal> {
        guard let value = try? JSONValue(parsing: text) else { return .failure(.invalidSyntax) }
        guard let elements = value["events"]?.arrayValue else { return .failure(.eventsMissing) }
        var events = Set<String>()
        for case .string(let event) in elements {
            events.insert(event)
            if events.count > maxEvents { return .failure(.tooManyEvents) }
        }
        return .success(ListenerInit(authentication: value["authentication"]?.stringValue, events: events))
    }
}
