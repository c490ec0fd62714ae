import EngineIO
import HTTPTypes
import Herald
import Hummingbird
import Logging
import NIOCore
import SocketIO

/// Server-Sent Events at `GET /sse/<site>?token=…&deviceId=…`: the client becomes a socket of the site's namespace,
/// admitted by the same middleware as Socket.IO clients (authUrl, rooms, limits, devices), and its events stream as
/// `text/event-stream` (see docs/protocols.md). Refusals are plain HTTP errors with a JSON body, answered before the
/// stream starts. CORS as for Engine.IO polling.
struct SSEController: Sendable {
    /// How long a client waits before it reconnects after its stream ended (the `retry:` field).
    static let retryMilliseconds = 2000
    /// The most bytes waiting for a client before it counts as not reading and is dropped.
    static let maxBufferedBytes = 1 << 20

    let service: HeraldService
    let logger: Logger

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/sse/:site") { request, context in
            await open(request, site: context.parameters.get("site") ?? "", channel: context.channel)
        }
        router.on("/sse/:site", method: .options) { request, _ in
            preflight(request)
        }
    }

    private func open(_ request: Request, site siteName: String, channel: any Channel) async -> Response {
        let cors = corsHeaders(for: request)
        let query = QueryString.parse((request.uri.query ?? "")[...])
        do throws(SSERefusal) {
            guard let site = service.sites.site(named: siteName), let namespace = service.io.namespace(named: site.namespace)
            else { throw .unknownSite }
            let lastReceived: FlakeID?
            do {
                lastReceived = try LastEventID.parse(header: request.headers[.lastEventID], query: query["lastEventId"])
            } catch {
                throw .invalidLastEventID(error)
            }
            let client = service.engine.clientAddress(peer: channel.remoteAddress?.ipAddress, headers: request.headers)
            if let refusal = service.engine.handshakeRefusal(clientAddress: client) {
                throw SSERefusal(refusal)
            }
            let wire = SSEWire(
                channel: channel,
                lastReceivedID: lastReceived,
                retry: Self.retryMilliseconds,
                heartbeat: service.engine.configuration.pingInterval,
                maxBufferedBytes: Self.maxBufferedBytes,
                logger: logger
            )
            let handshake = SocketHandshake(
                query: query,
                headers: request.headers,
                address: client,
                url: request.uri.description,
                issued: SystemWallClock().milliseconds
            )
            let admitted = await withCheckedContinuation { continuation in
                namespace.connect(handshake, over: wire) { result in
                    if case .success(let socket) = result {
                        wire.started(socket)
                    }
                    continuation.resume(returning: result)
                }
            }
            guard case .failure(let error) = admitted else {
                return streamResponse(wire, cors: cors)
            }
            wire.refused()
            throw SSERefusal(error)
        } catch {
            return error.response(cors: cors)
        }
    }

    private func streamResponse(_ wire: SSEWire, cors: HTTPFields) -> Response {
        var headers = cors
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        // nginx passes the stream on as it comes, whatever its proxy_buffering says.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await wire.stream(to: &writer) })
    }

    private func preflight(_ request: Request) -> Response {
        var headers = corsHeaders(for: request)
        headers[.accessControlAllowMethods] = "GET, OPTIONS"
        if let requested = request.headers[.accessControlRequestHeaders] {
            headers[.accessControlAllowHeaders] = requested
        }
        headers[.accessControlMaxAge] = "86400"
        return Response(status: .noContent, headers: headers)
    }

    private func corsHeaders(for request: Request) -> HTTPFields {
        var headers = HTTPFields()
        if let origin = service.engine.configuration.cors.allowedOrigin(for: request.headers[.origin]) {
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowCredentials] = "true"
        }
        return headers
    }
}

extension HTTPField.Name {
    /// The header a reconnecting `EventSource` names the last event it received in.
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
