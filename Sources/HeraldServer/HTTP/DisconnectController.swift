public import Herald
public import Hummingbird
public import Logging

/// `POST /disconnect?site=S&apiKey=K` with `{"user"|"socket"|"room"}`: disconnects those sockets on every instance
/// (a logout); the clients get a server disconnect and do not reconnect by themselves. Answers 200
/// `{"disconnected": N}`, N counting the instances that answered within two seconds; 400/401 as `/send`.
public struct DisconnectController: Sendable {
    private let service: HeraldService
    private let body: BackendJSONBody
    private let logger: Logger

    /// Creates the controller; bodies are bounded like `/send`'s.
    public init(service: HeraldService, maxBodyBytes: Int, logger: Logger) {
        self.service = service
        body = BackendJSONBody(defaultMaxBytes: maxBodyBytes)
        self.logger = logger
    }

    /// Adds the route to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/disconnect") { request, context in await handle(request, requestID: context.id).response() }
    }

    func handle(_ request: Request, requestID: String) async -> SendReply {
        let site: Site
        switch BackendCredentials.site(of: request, in: service.sites) {
        case .success(let authorized): site = authorized
        case .failure(let refusal): return refusal
        }
        let target: SocketTarget
        switch await body.read(request, for: site) {
        case .failure(let refusal): return refusal
        case .success(let json):
            switch ControlRequestParser.target(json, site: site) {
            case .failure(let error): return .jsonError(error.reason, status: .badRequest)
            case .success(let parsed): target = parsed
            }
        }
        let count = await service.control.disconnect(site: site.name, target: target)
        logger.info(
            "sockets disconnected by the backend",
            metadata: ["site": "\(site.name)", "requestId": "\(requestID)", "disconnected": "\(count)"]
        )
        return .json(["disconnected": .int(Int64(count))], status: .ok)
    }
}
