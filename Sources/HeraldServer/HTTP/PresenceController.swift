public import Herald
public import Hummingbird
public import Logging

/// `GET /presence?site=S&room=R&apiKey=K`: who is in room R of site S across every instance (docs/interactive.md).
///
/// 200 with `{"room": R, "members": [{"user", "deviceId"}]}` sorted by user then device; members whose last socket left
/// within the site's grace are still listed. 400 without `room`; 404 on a site without `presence`; 503 when the store
/// cannot be reached; 400/401 for credentials as `/send`.
public struct PresenceController: Sendable {
    private let service: HeraldService
    private let logger: Logger

    /// Creates the controller.
    public init(service: HeraldService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    /// Adds the route to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/presence") { request, _ in await handle(request).response() }
    }

    func handle(_ request: Request) async -> SendReply {
        let site: Site
        switch BackendCredentials.site(of: request, in: service.sites) {
        case .success(let authorized): site = authorized
        case .failure(let refusal): return refusal
        }
        guard let room = request.uri.queryParameters.get("room"), !room.isEmpty else {
            return .jsonError("Missing query param 'room'", status: .badRequest)
        }
        guard site.presence != nil else {
            return .jsonError("Presence is not enabled for this site", status: .notFound)
        }
        do {
            let members = try await service.presence.members(site: site.name, room: room)
            return .json(["room": .string(room), "members": .array(members.map(\.json))], status: .ok)
        } catch {
            logger.warning("presence not read: \(error)", metadata: ["site": "\(site.name)"])
            return .jsonError("Presence store unavailable", status: .serviceUnavailable)
        }
    }
}
