import Herald
public import Hummingbird

/// Guards the admin API: `Authorization: Bearer <admin.key>`, compared in constant time; anything else is 401.
public struct AdminAuthorization<Context: RequestContext>: RouterMiddleware {
    private let key: String

    /// Creates the guard for `key`.
    public init(key: String) {
        self.key = key
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let given = BackendCredentials.bearerToken(in: request.headers[.authorization]),
            ConstantTime.equals(given, key)
        else {
            return AdminJSON.error("admin key missing or invalid", status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await next(request, context)
    }
}
