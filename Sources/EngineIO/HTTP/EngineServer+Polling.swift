import HTTPTypes
public import Hummingbird
import NIOCore

extension EngineServer {
    /// Answers one HTTP request to the Engine.IO endpoint: handshake, polling GET/POST, CORS preflight, or an error;
    /// `remoteAddress` is the TCP peer's address.
    public func respond(to request: Request, remoteAddress: String?) async -> Response {
        var request = request
        var remoteAddress = remoteAddress
        let forwarding = sessionForwarding
        let origin = forwarding?.origin(method: request.method, target: request.uri.description, headers: request.headers) ?? .client
        let query = QueryString.parse((request.uri.query ?? "")[...])
        var cors = HTTPFields()
        if let origin = configuration.cors.allowedOrigin(for: request.headers[.origin]) {
            cors[.accessControlAllowOrigin] = origin
            cors[.accessControlAllowCredentials] = "true"
        }
        do throws(EngineError) {
            if request.method == .options {
                return preflight(request, cors: cors)
            }
            switch origin {
            case .client: break
            case .instance(let clientAddress): remoteAddress = clientAddress
            case .forged: return Self.refusalResponse(.forbidden(message: "Forwarded request not signed by an instance"), cors: cors)
            }
            let version = try protocolVersion(query["EIO"])
            guard let transport = query["transport"].flatMap(EngineTransportKind.init(rawValue:)),
                configuration.transports.contains(transport)
            else { throw .unknownTransport }
            guard let sid = query["sid"] else {
                guard request.method == .get else { throw .badHandshakeMethod }
                guard transport == .polling else { throw .badRequest }
                let client = clientAddress(peer: remoteAddress, headers: request.headers)
                if let refusal = handshakeRefusal(clientAddress: client) {
                    return Self.refusalResponse(refusal, cors: cors)
                }
                let handshake = EngineHandshake(
                    query: query,
                    headers: request.headers,
                    remoteAddress: client,
                    url: request.uri.description
                )
                let supportsBinary = version == .v4 || query["b64"] == nil
                return try await pollingAnswer(cors: cors) {
                    try await openPollingSession(version: version, handshake: handshake, supportsBinary: supportsBinary)
                }
            }
            guard let session = registry.lookup(sid) else {
                // A forwarded request is never forwarded again: a loop between instances would be a DoS.
                guard origin == .client, transport == .polling, let forwarding,
                    let answer = await forwarding.forward(
                        request,
                        sessionID: sid,
                        clientAddress: clientAddress(peer: remoteAddress, headers: request.headers)
                    )
                else { throw .unknownSessionID }
                return answer
            }
            guard transport == .polling, session.version == version else { throw .badRequest }
            switch request.method {
            case .get:
                return try await pollingAnswer(cors: cors) {
                    try await session.eventLoop.flatSubmit { session.poll() }.get()
                }
            case .post:
                return try await receive(&request, for: session, cors: cors)
            default:
                throw .badRequest
            }
        } catch {
            return Self.errorResponse(error, cors: cors)
        }
    }

    private func preflight(_ request: Request, cors: HTTPFields) -> Response {
        var headers = cors
        headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
        if let requested = request.headers[.accessControlRequestHeaders] {
            headers[.accessControlAllowHeaders] = requested
        }
        headers[.accessControlMaxAge] = "86400"
        return Response(status: .noContent, headers: headers)
    }

    private func pollingAnswer(cors: HTTPFields, _ fetch: () async throws -> PollingResponse) async throws(EngineError)
        -> Response
    {
        let answer: PollingResponse
        do {
            answer = try await fetch()
        } catch let error as EngineError {
            throw error
        } catch {
            throw .badRequest
        }
        var headers = cors
        headers[.contentType] = answer.contentType
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: answer.body))
    }

    private func receive(_ request: inout Request, for session: EngineSession, cors: HTTPFields) async throws(EngineError)
        -> Response
    {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxPayload)
        } catch is NIOTooManyBytesError {
            session.eventLoop.execute { session.close(reason: .payloadTooLarge) }
            var headers = cors
            headers[.connection] = "close"
            return Response(status: .contentTooLarge, headers: headers)
        } catch {
            throw .badRequest
        }
        let outcome = try await session.eventLoop.submit { () -> Result<Void, EngineError> in
            Result { () throws(EngineError) in try session.receivePolling(body: body) }
        }.getEngineResult()
        try outcome.get()
        var headers = cors
        headers[.contentType] = "text/html"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
    }

    static func errorResponse(_ error: EngineError, cors: HTTPFields) -> Response {
        refusalResponse(EngineRefusal(error), cors: cors)
    }

    static func refusalResponse(_ refusal: EngineRefusal, cors: HTTPFields) -> Response {
        Response(
            status: refusal.status,
            headers: refusal.headers(adding: cors),
            body: ResponseBody(byteBuffer: ByteBuffer(string: refusal.body))
        )
    }
}

extension EventLoopFuture where Value: Sendable {
    /// Awaits a future whose only failure is an ``EngineError``.
    fileprivate func getEngineResult() async throws(EngineError) -> Value {
        do {
            return try await get()
        } catch let error as EngineError {
            throw error
        } catch {
            throw .badRequest
        }
    }
}
