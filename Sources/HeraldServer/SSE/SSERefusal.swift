import HTTPTypes
import Herald
import Hummingbird
import NIOCore
import SocketIO

/// Why a Server-Sent Events client gets no stream, answered before the stream starts as an HTTP error with a JSON
/// body `{"code": …, "message": …}`, so `curl` shows it and `EventSource` fails without reconnecting in a loop.
struct SSERefusal: Error, Sendable, Hashable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var retryAfterSeconds: Int?

    static let unknownSite = SSERefusal(status: .notFound, code: "UNKNOWN_SITE", message: "No such site")

    static func invalidLastEventID(_ failure: LastEventID.Failure) -> SSERefusal {
        let message =
            switch failure {
            case .tooLong: "Last-Event-ID is longer than any event ID"
            case .notAnID: "Last-Event-ID is not an event ID this service sent"
            }
        return SSERefusal(status: .badRequest, code: "INVALID_LAST_EVENT_ID", message: message)
    }

    static func busy(retryAfterSeconds: Int?) -> SSERefusal {
        SSERefusal(
            status: .serviceUnavailable,
            code: "TOO_MANY_CONNECTIONS",
            message: "Too many new connections, try again later",
            retryAfterSeconds: retryAfterSeconds
        )
    }

    /// The answer to an admission the site's middleware refused; the messages are those Socket.IO clients get in
    /// their `connect_error`.
    init(_ error: ConnectError) {
        let message = error.message
        switch message {
        case "Invalid namespace":
            self = .unknownSite
        case AuthenticationError.rejected.message:
            self.init(status: .unauthorized, code: "AUTHENTICATION_FAILED", message: message)
        case AuthenticationError.missingPrivateRoom.message:
            self.init(status: .forbidden, code: "MISSING_PRIVATE_ROOM", message: message)
        case AuthenticationError.timedOut.message:
            self.init(status: .gatewayTimeout, code: "AUTH_TIMEOUT", message: message)
        case AuthenticationError.unreachable.message:
            self.init(status: .badGateway, code: "AUTH_UNREACHABLE", message: message)
        case AuthenticationError.invalidRoomList.message:
            self.init(status: .badGateway, code: "AUTH_INVALID_ANSWER", message: message)
        case AuthenticationError.malformedCredentials.message:
            self.init(status: .badRequest, code: "INVALID_CREDENTIALS", message: message)
        case Self.connectionLimitReached:
            self.init(status: .serviceUnavailable, code: "SITE_CONNECTION_LIMIT", message: message)
        case Self.tooManyDevices:
            self.init(status: .tooManyRequests, code: "TOO_MANY_DEVICES", message: message)
        case _ where message.hasPrefix("Auth ") && message.hasSuffix(" error"):
            self.init(status: .forbidden, code: "AUTH_REFUSED", message: message)
        default:
            self.init(status: .forbidden, code: "REFUSED", message: message)
        }
    }

    private init(status: HTTPResponse.Status, code: String, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The gateway's own refusals (`SiteGateway`), as Socket.IO clients read them.
    private static let connectionLimitReached = "Site connection limit reached"
    private static let tooManyDevices = "Too many devices"

    /// The HTTP answer, with the CORS headers `cors`.
    func response(cors: HTTPFields) -> Response {
        var headers = cors
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        if let retryAfterSeconds {
            headers[.retryAfter] = String(retryAfterSeconds)
        }
        let body = JSONValue.object(["code": .string(code), "message": .string(message)]).jsonString
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
