import SocketIO

/// The answer a request with an `Idempotency-Key` got, kept so a retry receives it again.
public struct IdempotentResponse: Sendable, Hashable {
    /// HTTP status code.
    public var status: Int
    /// `Content-Type` of the body.
    public var contentType: String
    /// The body; every `/send` answer is text (plain or JSON).
    public var body: String

    /// Creates a response.
    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// Whether an answer with `status` is kept: only success (2xx) means the request ran. A refusal (4xx) sent
    /// nothing, so the corrected request may reuse the key; a server error (5xx) asks for a retry, which must run
    /// the request rather than receive the failure again.
    public static func isRemembered(status: Int) -> Bool {
        (200..<300).contains(status)
    }

    /// The response as one JSON text, for stores that keep strings.
    public var encoded: String {
        let value: JSONValue = ["s": .int(Int64(status)), "t": .string(contentType), "b": .string(body)]
        return value.jsonString
    }

    /// Reads ``encoded``; `nil` for anything else.
    public init?(encoded: String) {
        guard let value = try? JSONValue(parsing: encoded), case .int(let status)? = value["s"],
            let contentType = value["t"]?.stringValue, let body = value["b"]?.stringValue
        else { return nil }
        self.init(status: Int(status), contentType: contentType, body: body)
    }
}
