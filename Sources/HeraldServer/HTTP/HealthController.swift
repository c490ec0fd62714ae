public import Hummingbird

/// `GET /healthcheck` answers `ok` while the process serves requests, for load balancers and Docker.
public struct HealthController: Sendable {
    /// Creates the controller.
    public init() {}

    /// Adds the route to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/healthcheck") { _, _ in
            Response.plainText("ok", status: .ok)
        }
        router.head("/healthcheck") { _, _ in
            Response.plainText("ok", status: .ok)
        }
    }
}
