/// The `code` of every event-server answer, spelled as the original service spells them.
public enum EventServerCode: String, Sendable, Hashable, CaseIterable {
    /// Success of `POST /event` and of a listener's init message.
    case ok = "OK"
    /// `POST /event` without a JSON object naming the event (400).
    case invalidBody = "INVALID_BODY"
    /// No credentials, or a token not in the tokens file (403 for `POST /event`).
    case unauthenticated = "UNAUTHENTICATED"
    /// Credentials with a scheme other than `Basic` (403 for `POST /event`).
    case unrecognizedScheme = "AUTH_UNRECOGNIZED_SCHEME"
    /// A listener's init message that is not JSON.
    case invalidSyntax = "INVALID_SYNTAX"
    /// A listener's init message without an `events` array.
    case eventsMissing = "INVALID_EVENTS_MISSING"

    /// The HTTP status of `POST /event` answered with this code.
    public var httpStatus: Int {
        switch self {
        case .ok: 200
        case .unauthenticated, .unrecognizedScheme: 403
        case .invalidBody, .invalidSyntax, .eventsMissing: 400
        }
    }

    /// The body of a `POST /event` answer: `{"code":"OK"}`.
    public var responseBody: String {
        #"{"code":"\#(rawValue)"}"#
    }

    /// The answer to a listener's init message: `{"type":"init","code":"OK"}`.
    public var initReply: String {
        #"{"type":"init","code":"\#(rawValue)"}"#
    }
}
