public import Herald
public import Hummingbird
public import Logging

/// `POST /rpc?site=S&apiKey=K` with `{"user"|"socket"|"room", "event", "args", "timeoutMs"}`: emits the event with an
/// ack to the target's Socket.IO sockets on every instance and answers with what they answered (docs/interactive.md).
///
/// 200 with `[{"socket", "deviceId", "user", "answer"}]` once every socket answered, or at the timeout with the
/// answers that came; 504 when sockets matched and none answered in time; 404 when no socket matched; 400 for a body
/// that does not say what to call; 400/401 for credentials as `/send`.
public struct RPCController: Sendable {
    private let service: HeraldService
    private let body: BackendJSONBody
    private let logger: Logger

    /// Creates the controller; bodies are bounded like `/send`'s (`maxBodyBytes` on sites without `maxPayloadBytes`).
    public init(service: HeraldService, maxBodyBytes: Int, logger: Logger) {
        self.service = service
        body = BackendJSONBody(defaultMaxBytes: maxBodyBytes)
        self.logger = logger
    }

    /// Adds the route to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/rpc") { request, context in await handle(request, requestID: context.id).response() }
    }

    func handle(_ request: Request, requestID: String) async -> SendReply {
        let site: Site
        switch BackendCredentials.site(of: request, in: service.sites) {
        case .success(let authorized): site = authorized
        case .failure(let refusal): return refusal
        }
        let rpc: BackendRPC
        switch await body.read(request, for: site) {
        case .failure(let refusal): return refusal
        case .success(let json):
            switch ControlRequestParser.rpc(json, site: site) {
            case .failure(let error): return .jsonError(error.reason, status: .badRequest)
            case .success(let parsed): rpc = parsed
            }
        }
        let collection = await service.control.call(rpc)
        let metadata: Logger.Metadata = [
            "site": "\(site.name)", "requestId": "\(requestID)", "event": "\(rpc.event)",
            "matched": "\(collection.matched)", "answered": "\(collection.answers.count)",
        ]
        logger.info("rpc called", metadata: metadata)
        if collection.matched == 0 {
            return .jsonError("No socket matched the target", status: .notFound)
        }
        if collection.answers.isEmpty {
            let milliseconds = rpc.timeout.components.seconds * 1000 + rpc.timeout.components.attoseconds / 1_000_000_000_000_000
            return .json(
                ["error": .string("No socket answered within \(milliseconds) ms"), "matched": .int(Int64(collection.matched))],
                status: .gatewayTimeout
            )
        }
        return .json(.array(collection.answers.map(\.json)), status: .ok)
    }
}
