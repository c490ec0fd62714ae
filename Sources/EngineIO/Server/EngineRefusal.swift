public import HTTPTypes

/// An HTTP answer refusing an Engine.IO request: a standard ``EngineError`` or a refused handshake.
public struct EngineRefusal: Error, Sendable, Hashable {
    /// HTTP status.
    public let status: HTTPResponse.Status
    /// JSON body.
    public let body: String
    /// Seconds for `Retry-After`, when the client should retry later.
    public let retryAfterSeconds: Int?

    /// The answer for a standard Engine.IO error.
    public init(_ error: EngineError) {
        status = error.status
        body = error.body
        retryAfterSeconds = nil
    }

    /// 503 for a handshake refused because too many sessions are opening: `{"message":"Too many new connections; retry after 2 s"}`.
    public static func busy(retryAfterSeconds: Int) -> EngineRefusal {
        EngineRefusal(
            status: .serviceUnavailable,
            body: #"{"message":"Too many new connections; retry after \#(retryAfterSeconds) s"}"#,
            retryAfterSeconds: retryAfterSeconds
        )
    }

    /// 403 for a handshake from a client that may not connect at all: `{"message":"Address not allowed"}`.
    public static func forbidden(message: String) -> EngineRefusal {
        EngineRefusal(status: .forbidden, body: #"{"message":"\#(jsonEscaped(message))"}"#)
    }

    /// A refusal with `status` and the JSON `body` (`Retry-After` when `retryAfterSeconds` is set), for other
    /// endpoints served beside Engine.IO (``WebSocketEndpoint``).
    public init(status: HTTPResponse.Status, body: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.body = body
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The answer's header fields (content type, `Retry-After`) added to `fields`.
    func headers(adding fields: HTTPFields = HTTPFields()) -> HTTPFields {
        var headers = fields
        headers[.contentType] = "application/json"
        if let retryAfterSeconds {
            headers[.retryAfter] = String(retryAfterSeconds)
        }
        return headers
    }
}

/// `text` escaped for the inside of a JSON string.
private func jsonEscaped(_ text: String) -> String {
    var escaped = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        case "\u{00}"..."\u{1F}": escaped += "\\u00" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped
}
