import HTTPTypes
public import Herald
public import Hummingbird
public import Logging

/// `POST /send?site=S&apiKey=K[&resync=true]`: a backend pushes an event to rooms of its site.
///
/// Statuses and texts are the Node service's: 400 "Missing query param 'site' or 'apiKey'.", 401 "ApiKey invalid.",
/// 200 "OK"; Herald adds 413 for bodies over the limit (the site's `maxPayloadBytes`, else `send.maxBodyBytes`), 429
/// with `Retry-After` over the site's `maxSendsPerSecond`, and 400 with a reason for bodies it cannot read. The key
/// may also come as `Authorization: Bearer <key>`, which keeps it out of access logs.
///
/// Herald additions: a JSON array body sends each of its messages and answers with one JSON entry per message
/// (``SendReply/batch(_:)``); an `Idempotency-Key` header makes a retried request a no-op for the store's retention
/// (the first successful answer is given again with `Idempotency-Replayed: true`).
public struct SendController: Sendable {
    static let invalidKey = BackendCredentials.invalid
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!
    static let inFlight = "A request with this Idempotency-Key is still being processed; retry after it finished."
    static let idempotencyUnavailable = "Idempotency store unavailable; nothing was sent. Retry later."

    private let service: HeraldService
    private let limits: SendLimits
    private let bodyReader: SendBodyReader
    private let logger: Logger

    /// Creates the controller for `service`, accepting bodies up to `maxBodyBytes` on sites without
    /// `maxPayloadBytes`, and array bodies of up to `maxBatchSize` messages.
    public init(
        service: HeraldService,
        maxBodyBytes: Int,
        maxBatchSize: Int = SendRequestParser.maxBatchSize,
        logger: Logger
    ) {
        self.service = service
        limits = SendLimits(defaultMaxBodyBytes: maxBodyBytes, limiter: service.sendLimiter)
        bodyReader = SendBodyReader(maxBatchSize: maxBatchSize)
        self.logger = logger
    }

    /// Adds the route to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/send") { request, context in
            let response = await handle(request, requestID: context.id)
            service.metrics.sendRequest(site: BackendCredentials.metricsSite(of: request, in: service.sites), status: response.status.code)
            return response
        }
    }

    func handle(_ request: Request, requestID: String) async -> Response {
        var metadata: Logger.Metadata = ["site": "\(request.uri.queryParameters.get("site") ?? "")", "requestId": "\(requestID)"]
        let site: Site
        switch BackendCredentials.site(of: request, in: service.sites) {
        case .success(let authorized): site = authorized
        case .failure(let refusal):
            if refusal.status == .unauthorized {
                logger.notice("send refused: invalid site or apiKey", metadata: metadata)
            }
            return refusal.response()
        }
        guard let header = request.headers[Self.idempotencyHeader] else {
            return await send(request, to: site, metadata: metadata).response()
        }
        guard let idempotencyKey = IdempotencyKey(site: site.name, header: header) else {
            return SendReply.text(IdempotencyKey.rule, status: .badRequest).response()
        }
        metadata["idempotencyKey"] = "\(idempotencyKey.value)"
        return await sendOnce(request, to: site, key: idempotencyKey, metadata: metadata)
    }

    /// Runs the request unless one with the same key ran within the retention or is running now.
    private func sendOnce(_ request: Request, to site: Site, key: IdempotencyKey, metadata: Logger.Metadata) async -> Response {
        let claim: IdempotencyClaim
        do {
            claim = try await service.idempotency.begin(key)
        } catch {
            logger.error("send failed, idempotency store unavailable: \(error)", metadata: metadata)
            return SendReply.text(Self.idempotencyUnavailable, status: .serviceUnavailable, retryAfter: SendReply.retryAfterSeconds)
                .response()
        }
        switch claim {
        case .completed(let stored):
            logger.info("send replayed for a repeated Idempotency-Key; nothing sent", metadata: metadata)
            return SendReply(replaying: stored).response(replayed: true)
        case .inFlight:
            logger.notice("send refused: Idempotency-Key in flight", metadata: metadata)
            return SendReply.text(Self.inFlight, status: .conflict).response()
        case .started(let ticket):
            let reply = await send(request, to: site, metadata: metadata)
            if reply.isFinal {
                await service.idempotency.complete(ticket, with: reply.idempotentResponse)
            } else {
                await service.idempotency.release(ticket)
            }
            return reply.response()
        }
    }

    /// The body → messages → delivery steps of one request.
    private func send(_ request: Request, to site: Site, metadata: Logger.Metadata) async -> SendReply {
        let body: SendBody
        let maxBodyBytes = limits.maxBodyBytes(for: site)
        switch await bodyReader.read(request, maxBodyBytes: maxBodyBytes, resyncQuery: request.uri.queryParameters.get("resync")) {
        case .success(let parsed):
            body = parsed
        case .failure(let refusal):
            if let reason = refusal.reason {
                logger.notice("send refused: \(reason)", metadata: metadata)
            }
            return refusal.reply
        }
        if let refusal = await limits.rateRefusal(sending: body.messageCount, for: site) {
            logger.notice("send refused: over maxSendsPerSecond", metadata: metadata)
            return refusal
        }
        switch body {
        case .single(let message):
            return .single(await service.sender.send(message, on: site, metadata: metadata))
        case .batch(let items):
            return .batch(await service.sender.send(batch: items, on: site, metadata: metadata))
        }
    }
}
