import Herald
import Hummingbird
import Logging
import NIOCore

/// `POST /event`: a backend fires an event to the listeners subscribed to its type (the original's listen server).
///
/// The credentials are checked before the body is read, so an unauthenticated client never gets its body parsed;
/// a body over `maxBodyBytes` is answered 413 (`{"code":"PAYLOAD_TOO_LARGE"}`, a bound the original left to
/// Express's 100 kB default).
struct EventController: Sendable {
    let server: EventServer
    let logger: Logger

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/event") { request, _ in
            await fire(request)
        }
    }

    private func fire(_ request: Request) async -> Response {
        let authentication = server.authenticate(request.headers[.authorization])
        guard authentication == .ok else {
            return Self.answer(authentication)
        }
        let limit = server.settings.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            return Self.tooLarge
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            return Self.tooLarge
        } catch {
            return Self.answer(.invalidBody)
        }
        guard let event = FiredEvent(body: String(decoding: body.readableBytesView, as: UTF8.self)) else {
            return Self.answer(.invalidBody)
        }
        await server.fire(event)
        logger.debug("event fired", metadata: ["event": "\(event.event)"])
        return Self.answer(.ok)
    }

    private static func answer(_ code: EventServerCode) -> Response {
        json(code.responseBody, status: .init(code: code.httpStatus))
    }

    private static var tooLarge: Response {
        json(#"{"code":"PAYLOAD_TOO_LARGE"}"#, status: .contentTooLarge)
    }

    private static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
