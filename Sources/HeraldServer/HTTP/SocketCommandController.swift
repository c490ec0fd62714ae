public import Herald
public import Hummingbird
public import Logging
import SocketIO

/// A backend's commands for its clients' sockets on every instance (docs/interactive.md), both with the site's key as
/// `/send` takes it (400/401 likewise) and a JSON object body bounded like `/send`'s (413 beyond, 400 when it is not
/// one or does not say what it needs, with `{"error"}`):
///
/// - `POST /rpc` `{"user"|"socket"|"room", "event", "args", "timeoutMs"}` emits the event with an ack to the
///   target's Socket.IO sockets and answers 200 `[{"socket", "deviceId", "user", "answer"}]` once every socket
///   answered, or at the timeout with the answers that came; 504 when sockets matched and none answered in time; 404
///   when no socket matched.
/// - `POST /disconnect` `{"user"|"socket"|"room"}` disconnects those sockets (a logout; Socket.IO clients do not
///   reconnect by themselves) and answers 200 `{"disconnected": N}`, N counting the instances that answered within
///   two seconds.
public struct SocketCommandController: Sendable {
    private let service: HeraldService
    private let body: BackendJSONBody
    private let logger: Logger

    /// Creates the controller; bodies are bounded like `/send`'s (`maxBodyBytes` on sites without `maxPayloadBytes`).
    public init(service: HeraldService, maxBodyBytes: Int, logger: Logger) {
        self.service = service
        body = BackendJSONBody(defaultMaxBytes: maxBodyBytes)
        self.logger = logger
    }

    /// Adds both routes to `router`; each answer is counted in `herald_backend_commands_total`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/rpc") { request, context in
            counted("rpc", request, await call(request, requestID: context.id).response())
        }
        router.post("/disconnect") { request, context in
            counted("disconnect", request, await disconnect(request, requestID: context.id).response())
        }
    }

    private func counted(_ command: String, _ request: Request, _ response: Response) -> Response {
        let site = BackendCredentials.metricsSite(of: request, in: service.sites)
        service.metrics.backendCommand(command, site: site, status: response.status.code)
        return response
    }

    func call(_ request: Request, requestID: String) async -> SendReply {
        let rpc: BackendRPC
        switch await command(of: request, ControlRequestParser.rpc) {
        case .failure(let refusal): return refusal
        case .success(let parsed): rpc = parsed
        }
        let collection = await service.control.call(rpc)
        logger.info(
            "rpc called",
            metadata: [
                "site": "\(rpc.site)", "requestId": "\(requestID)", "event": "\(rpc.event)",
                "matched": "\(collection.matched)", "answered": "\(collection.answers.count)",
            ]
        )
        if collection.matched == 0 {
            return .jsonError("No socket matched the target", status: .notFound)
        }
        if collection.answers.isEmpty {
            return .json(
                ["error": .string("No socket answered within \(rpc.timeout)"), "matched": .int(Int64(collection.matched))],
                status: .gatewayTimeout
            )
        }
        return .json(.array(collection.answers.map(\.json)), status: .ok)
    }

    func disconnect(_ request: Request, requestID: String) async -> SendReply {
        let command: (site: String, target: SocketTarget)
        switch await self.command(of: request, { body, site in ControlRequestParser.target(body, site: site).map { (site.name, $0) } }) {
        case .failure(let refusal): return refusal
        case .success(let parsed): command = parsed
        }
        let count = await service.control.disconnect(site: command.site, target: command.target)
        logger.info(
            "sockets disconnected by the backend",
            metadata: ["site": "\(command.site)", "requestId": "\(requestID)", "disconnected": "\(count)"]
        )
        return .json(["disconnected": .int(Int64(count))], status: .ok)
    }

    /// The request's site (by its key), its body, and what `parse` reads of them; or the refusal to answer.
    private func command<Command>(
        of request: Request,
        _ parse: (JSONValue, Site) -> Result<Command, ControlRequestError>
    ) async -> Result<Command, SendReply> {
        let site: Site
        switch BackendCredentials.site(of: request, in: service.sites) {
        case .success(let authorized): site = authorized
        case .failure(let refusal): return .failure(refusal)
        }
        return await body.read(request, for: site).flatMap { json in
            parse(json, site).mapError { .jsonError($0.reason, status: .badRequest) }
        }
    }
}
