import EngineIO
import Hummingbird

/// `GET /_conformance/waiting-poll?sid=…`: `true` once a long-polling GET of that session is parked on the server.
///
/// Tests that must send something while a GET waits (a close packet, a second GET, an upgrade probe) ask this
/// until it says `true` instead of sleeping and hoping the GET got there first.
enum WaitingPollRoute {
    static let path = "/_conformance/waiting-poll"

    static func add(to router: Router<BasicRequestContext>, engine: EngineServer) {
        router.get(RouterPath(path)) { request, _ -> Response in
            guard let sid = request.uri.queryParameters.get("sid"), let session = engine.session(id: sid) else {
                return Response(status: .notFound)
            }
            let waiting = try await session.hasWaitingPoll().get()
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: waiting ? "true" : "false")))
        }
    }
}
