/// What one `POST /send` body asks for.
public enum SendBody: Sendable, Hashable {
    /// A JSON object or a form: one message, answered as the Node service does (plain `OK`).
    case single(SendRequest)
    /// A JSON array: each element read on its own, in order; an unreadable one carries its error and the others
    /// still go out. Answered with one JSON entry per element.
    case batch([Result<SendRequest, SendRequestError>])

    /// How many messages the body holds, readable or not: what a per-message limit counts.
    public var messageCount: Int {
        switch self {
        case .single: 1
        case .batch(let items): items.count
        }
    }
}
