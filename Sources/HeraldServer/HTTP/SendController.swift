public import Herald
public import Hummingbird
public import Logging
import NIOCore

/// `POST /send?site=S&apiKey=K[&resync=true]`: a backend pushes an event to rooms of its site.
///
/// Statuses and texts are the Node service's: 400 "Missing query param 'site' or 'apiKey'.", 401 "ApiKey invalid.",
/// 200 "OK"; Herald adds 413 for bodies over the limit (the site's `maxPayloadBytes`, else `send.maxBodyBytes`), 429
/// with `Retry-After` over the site's `maxSendsPerSecond`, and 400 with a reason for bodies it cannot read. The key
/// may also come as `Authorization: Bearer <key>`, which keeps it out of access logs.
public struct SendController: Sendable {
    static let missingCredentials = "Missing query param 'site' or 'apiKey'."
    static let invalidKey = "ApiKey invalid."
    /// Seconds a backend is asked to wait before retrying when the store is down.
    static let retryAfterSeconds = 5

    private let service: HeraldService
    private let limits: SendLimits
    private let logger: Logger

    /// Creates the controller for `service`, accepting bodies up to `maxBodyBytes` on sites without `maxPayloadBytes`.
    public init(service: HeraldService, maxBodyBytes: Int, logger: Logger) {
        self.service = service
        limits = SendLimits(defaultMaxBodyBytes: maxBodyBytes, limiter: service.sendLimiter)
        self.logger = logger
    }

    /// Adds the route to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/send") { request, context in
            let response = await handle(request, requestID: context.id)
            service.metrics.sendRequest(site: metricsSite(of: request), status: response.status.code)
            return response
        }
    }

    /// The `site` label of a request: its site when configured, else ``HeraldMetrics/unknownSite``.
    private func metricsSite(of request: Request) -> String {
        guard let name = request.uri.queryParameters.get("site"), service.sites.site(named: name) != nil else {
            return HeraldMetrics.unknownSite
        }
        return name
    }

    func handle(_ request: Request, requestID: String) async -> Response {
        let query = request.uri.queryParameters
        let key = query.get("apiKey") ?? Self.bearerToken(in: request.headers[.authorization])
        guard let siteName = query.get("site"), !siteName.isEmpty, let key, !key.isEmpty else {
            return .plainText(Self.missingCredentials, status: .badRequest)
        }
        var metadata: Logger.Metadata = ["site": "\(siteName)", "requestId": "\(requestID)"]
        guard let site = service.sites.site(named: siteName), site.accepts(apiKey: key) else {
            logger.notice("send refused: invalid site or apiKey", metadata: metadata)
            return .plainText(Self.invalidKey, status: .unauthorized)
        }
        let maxBodyBytes = limits.maxBodyBytes(for: site)
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            return Self.tooLarge(limit: maxBodyBytes)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return Self.tooLarge(limit: maxBodyBytes)
        } catch {
            return .plainText("Could not read the body: \(error)", status: .badRequest)
        }
        let sendRequest: SendRequest
        do {
            let format = SendRequestParser.format(contentType: request.headers[.contentType], body: body)
            sendRequest = try SendRequestParser.parse(body, format: format, resyncQuery: query.get("resync"))
        } catch {
            logger.notice("send refused: \(error.reason)", metadata: metadata)
            return .plainText(error.reason, status: .badRequest)
        }
        metadata["event"] = "\(sendRequest.event)"
        metadata["rooms"] = .array(sendRequest.rooms.map { "\($0)" })
        if let refusal = limits.rateRefusal(sending: 1, for: site) {
            logger.notice("send refused: over maxSendsPerSecond", metadata: metadata)
            return refusal
        }
        let report: DeliveryReport
        do {
            report = try await service.delivery.send(sendRequest, on: site)
        } catch {
            logger.error("send failed, message store unavailable: \(error)", metadata: metadata)
            return .plainText(
                "Message store unavailable; nothing was sent. Retry later.",
                status: .serviceUnavailable,
                headers: [.retryAfter: "\(Self.retryAfterSeconds)"]
            )
        }
        metadata["messageId"] = report.messageID.map { "\($0)" }
        metadata["devices"] = "\(report.storedDevices)"
        logger.info("message sent", metadata: metadata)
        return .plainText("OK", status: .ok)
    }

    private static func tooLarge(limit: Int) -> Response {
        .plainText("Payload too large: the body limit is \(limit) bytes.", status: .contentTooLarge)
    }

    /// The credentials of `Authorization: Bearer <key>`.
    static func bearerToken(in header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}
