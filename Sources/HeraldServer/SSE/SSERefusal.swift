import EngineIO
import HTTPTypes
import Herald
import Hummingbird
import NIOCore
import SocketIO

/// Why a Server-Sent Events client gets no stream, answered before the stream starts as an HTTP error with a JSON
/// body `{"code": …, "message": …}`, so `curl` shows it and `EventSource` fails without reconnecting in a loop.
/// Admission refusals carry the gateway's ``RefusalCode`` (the codes plain WebSocket clients get) and the message
/// Socket.IO clients get.
struct SSERefusal: Error, Sendable, Hashable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var retryAfterSeconds: Int?

    static let unknownSite = SSERefusal(RefusalCode.unknownSite, message: "No such site")

    static func invalidLastEventID(_ failure: LastEventID.Failure) -> SSERefusal {
        let message =
            switch failure {
            case .tooLong: "Last-Event-ID is longer than any event ID"
            case .notAnID: "Last-Event-ID is not an event ID this service sent"
            }
        return SSERefusal(status: .badRequest, code: "INVALID_LAST_EVENT_ID", message: message)
    }

    /// The answer to a handshake the instance's connection policy refused: its address (403) or its connection
    /// rate (503 with `Retry-After`).
    init(_ refusal: EngineRefusal) {
        guard refusal.status == .forbidden else {
            self.init(
                status: .serviceUnavailable,
                code: "TOO_MANY_CONNECTIONS",
                message: "Too many new connections, try again later",
                retryAfterSeconds: refusal.retryAfterSeconds
            )
            return
        }
        self.init(.addressNotAllowed, message: InstanceHandshakePolicy.addressNotAllowed)
    }

    /// The answer to an admission the site's middleware refused.
    init(_ error: ConnectError) {
        guard let code = RefusalCode(error) else {
            self.init(status: .forbidden, code: "REFUSED", message: error.message)
            return
        }
        self.init(code, message: error.message)
    }

    private init(_ code: RefusalCode, message: String) {
        let status: HTTPResponse.Status =
            switch code {
            case .unknownSite: .notFound
            // 401 when the token itself was refused (or has expired), 403 when the site refused the client otherwise.
            case .unauthorized
            where message == AuthenticationError.rejected.message || message == AuthenticationError.tokenExpired.message:
                .unauthorized
            case .unauthorized: .forbidden
            case .authUnavailable, .connectionLimit: .serviceUnavailable
            case .tooManyDevices, .tooManyAuthAttempts: .tooManyRequests
            case .addressNotAllowed: .forbidden
            }
        self.init(status: status, code: code.rawValue, message: message)
    }

    private init(status: HTTPResponse.Status, code: String, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The HTTP answer, with the CORS headers `cors`.
    func response(cors: HTTPFields) -> Response {
        var headers = cors
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        if let retryAfterSeconds {
            headers[.retryAfter] = String(retryAfterSeconds)
        }
        // Written by hand so `code` always comes first (a dictionary's order changes from run to run).
        let body = #"{"code":\#(JSONValue.string(code).jsonString),"message":\#(JSONValue.string(message).jsonString)}"#
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
