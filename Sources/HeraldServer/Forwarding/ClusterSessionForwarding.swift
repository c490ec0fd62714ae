import EngineIO
import HTTPTypes
import Herald
import HeraldRedis
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Polling without sticky sessions: owner records in Redis (``RedisSessionOwners``) and polling requests for another
/// instance's session forwarded to it over HTTP, signed with the cluster secret (``ForwardSignature``).
///
/// Bounded: a forwarded request is never forwarded again (the owner answers from its own sessions or "unknown"),
/// at most ``maxConcurrentForwards`` are in flight (beyond: 503 with `Retry-After`), each within ``timeout``
/// (longer than a held poll: `pingInterval` + `pingTimeout` + 5 s), request and answer bodies bounded.
final class ClusterSessionForwarding: SessionForwarding {
    private let owners: RedisSessionOwners
    private let signature: ForwardSignature
    private let eventLoopGroup: any EventLoopGroup
    private let maxConcurrentForwards: Int
    private let maxPayload: Int
    private let timeout: TimeAmount
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ForwardingMetrics
    private let inFlight = NIOLockedValueBox(0)
    /// Most bytes of an owner's answer (a polling answer carries at most a few messages of `maxHttpBufferSize`).
    private static let maxAnswerBytes = 16 << 20

    init(
        owners: RedisSessionOwners,
        secret: String,
        engine: EngineConfiguration,
        maxConcurrentForwards: Int,
        eventLoopGroup: any EventLoopGroup,
        clock: any WallClock = SystemWallClock(),
        metrics: ForwardingMetrics,
        logger: Logger
    ) {
        self.owners = owners
        self.signature = ForwardSignature(secret: secret)
        self.eventLoopGroup = eventLoopGroup
        self.maxConcurrentForwards = maxConcurrentForwards
        self.maxPayload = engine.maxPayload
        self.timeout = engine.pingInterval + engine.pingTimeout + .seconds(5)
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }

    func sessionOpened(id: String) async {
        await owners.record(id)
    }

    func sessionClosed(id: String) {
        owners.forget(id)
    }

    func origin(method: HTTPRequest.Method, target: String, headers: HTTPFields) -> ForwardOrigin {
        guard let name = HTTPField.Name(ForwardSignature.headerName), let value = headers[name] else { return .client }
        guard let verified = signature.verify(value, method: method.rawValue, target: target, nowMilliseconds: now) else {
            metrics.markerRefused()
            return .forged
        }
        return .instance(clientAddress: verified.clientAddress)
    }

    func forward(_ request: Request, sessionID: String, clientAddress: String?) async -> Response? {
        guard let owner = await owners.owner(of: sessionID), owner.instanceID != owners.instanceID,
            let target = InstanceAddress(owner.address)
        else { return nil }
        guard acquireSlot() else {
            metrics.forwarded(.polling, .busy)
            logger.warning("forward refused: \(maxConcurrentForwards) forwards in flight")
            return Response(
                status: .serviceUnavailable,
                headers: [.retryAfter: "1"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"message":"Too many forwarded requests"}"#))
            )
        }
        defer { releaseSlot() }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxPayload)
        } catch is NIOTooManyBytesError {
            metrics.forwarded(.polling, .tooLarge)
            return Response(status: .contentTooLarge, headers: [.connection: "close"])
        } catch {
            return nil
        }
        let head = forwardedHead(request, body: body, clientAddress: clientAddress, host: owner.address)
        do {
            let answer = try await exchange(head: head, body: body, with: target)
            metrics.forwarded(.polling, .answered)
            return response(from: answer)
        } catch {
            metrics.forwarded(.polling, .ownerUnreachable)
            logger.info(
                "forward to the session's owner failed",
                metadata: ["owner": "\(owner.instanceID)", "reason": "\(error)"]
            )
            return nil
        }
    }

    func upgradeTarget(for head: HTTPRequestHead, sessionID: String, clientAddress: String?) async -> UpgradeTarget? {
        guard let owner = await owners.owner(of: sessionID), owner.instanceID != owners.instanceID,
            let address = InstanceAddress(owner.address)
        else { return nil }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: owner.address)
        for (name, value) in head.headers {
            let lowered = name.lowercased()
            guard lowered != "host", lowered != "x-forwarded-for", lowered != ForwardSignature.headerName.lowercased() else { continue }
            headers.add(name: name, value: value)
        }
        let chain = (head.headers["X-Forwarded-For"] + [clientAddress].compactMap { $0 }).joined(separator: ", ")
        if !chain.isEmpty { headers.add(name: "X-Forwarded-For", value: chain) }
        headers.add(
            name: ForwardSignature.headerName,
            value: signature.sign(method: head.method.rawValue, target: head.uri, clientAddress: clientAddress, nowMilliseconds: now)
        )
        let replayed = HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
        metrics.forwarded(.websocket, .tunnelled)
        return UpgradeTarget(host: address.host, port: address.port, head: replayed)
    }

    private var now: Int64 { clock.milliseconds }

    private func forwardedHead(_ request: Request, body: ByteBuffer, clientAddress: String?, host: String) -> HTTPRequestHead {
        let target = request.uri.description
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        for name in [HTTPField.Name.contentType, .cookie, .origin, .userAgent] {
            if let value = request.headers[name] { headers.add(name: name.rawName, value: value) }
        }
        let chain = [HTTPField.Name("X-Forwarded-For").flatMap { request.headers[$0] }, clientAddress].compactMap { $0 }.joined(
            separator: ", "
        )
        if !chain.isEmpty { headers.add(name: "X-Forwarded-For", value: chain) }
        headers.add(
            name: ForwardSignature.headerName,
            value: signature.sign(method: request.method.rawValue, target: target, clientAddress: clientAddress, nowMilliseconds: now)
        )
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Connection", value: "close")
        return HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue), uri: target, headers: headers)
    }

    private func exchange(head: HTTPRequestHead, body: ByteBuffer, with address: InstanceAddress) async throws -> ForwardedAnswer {
        let loop = eventLoopGroup.next()
        let promise = loop.makePromise(of: ForwardedAnswer.self)
        let maxAnswerBytes = Self.maxAnswerBytes
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        ForwardedExchange(head: head, body: body, maxAnswerBytes: maxAnswerBytes, promise: promise)
                    )
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            promise.fail(ForwardFailure.unreachable)
            throw ForwardFailure.unreachable
        }
        let deadline = loop.scheduleTask(in: timeout) {
            promise.fail(ForwardFailure.timedOut)
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        return try await promise.futureResult.get()
    }

    private func response(from answer: ForwardedAnswer) -> Response {
        var headers = HTTPFields()
        for (name, value) in answer.head.headers {
            let lowered = name.lowercased()
            guard lowered != "connection", lowered != "content-length", lowered != "transfer-encoding", lowered != "keep-alive",
                let field = HTTPField.Name(name)
            else { continue }
            headers.append(HTTPField(name: field, value: value))
        }
        return Response(
            status: HTTPResponse.Status(code: Int(answer.head.status.code)),
            headers: headers,
            body: ResponseBody(byteBuffer: answer.body)
        )
    }

    private func acquireSlot() -> Bool {
        inFlight.withLockedValue { count in
            guard count < maxConcurrentForwards else { return false }
            count += 1
            return true
        }
    }

    private func releaseSlot() {
        inFlight.withLockedValue { $0 -= 1 }
    }
}
