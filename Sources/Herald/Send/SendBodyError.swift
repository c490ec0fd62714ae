/// Why a `POST /send` body was refused as a whole (nothing was sent).
public enum SendBodyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body (or the one message it holds) cannot be read; answered 400 with the reason.
    case invalid(SendRequestError)
    /// An array body holds more than `limit` messages; answered 413, nothing is sent.
    case tooManyMessages(count: Int, limit: Int)

    /// What is wrong, in words a backend developer can act on.
    public var reason: String {
        switch self {
        case .invalid(let error): error.reason
        case .tooManyMessages(let count, let limit):
            "Too many messages: the array holds \(count), at most \(limit) are accepted per request."
        }
    }

    public var description: String { reason }
}
