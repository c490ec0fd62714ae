import HTTPTypes
import Herald
import Hummingbird

/// The answer to one `POST /send`, before it becomes an HTTP response: what the idempotency store keeps and replays.
struct SendReply: Sendable, Hashable {
    static let plainText = "text/plain; charset=utf-8"
    static let json = "application/json"
    /// Header set on an answer replayed for a repeated `Idempotency-Key`.
    static let replayedHeader = HTTPField.Name("Idempotency-Replayed")!

    var status: HTTPResponse.Status
    var contentType: String
    var body: String
    /// Seconds to wait before retrying, when part of the request may succeed later (`Retry-After`).
    var retryAfter: Int?

    /// A plain-text answer, the form of every answer of the Node service's HTTP API.
    static func text(_ body: String, status: HTTPResponse.Status, retryAfter: Int? = nil) -> SendReply {
        SendReply(status: status, contentType: plainText, body: body, retryAfter: retryAfter)
    }

    /// Whether a retry with the same `Idempotency-Key` should get this answer again rather than run again: only
    /// when the request ran (2xx), and not when the answer says to retry (a batch with messages that were not sent).
    var isFinal: Bool {
        retryAfter == nil && IdempotentResponse.isRemembered(status: status.code)
    }

    /// The answer as the idempotency store keeps it.
    var idempotentResponse: IdempotentResponse {
        IdempotentResponse(status: status.code, contentType: contentType, body: body)
    }

    /// The HTTP response; `replayed` marks an answer given again for a repeated `Idempotency-Key`.
    func response(replayed: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        if let retryAfter {
            headers[.retryAfter] = "\(retryAfter)"
        }
        if replayed {
            headers[Self.replayedHeader] = "true"
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

extension SendReply {
    /// The answer a request got earlier, for a retry with the same `Idempotency-Key`.
    init(replaying stored: IdempotentResponse) {
        self.init(status: HTTPResponse.Status(code: stored.status), contentType: stored.contentType, body: stored.body)
    }
}
