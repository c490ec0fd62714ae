public import Hummingbird

/// Routes requests for the Engine.IO path to an ``EngineServer``; everything else goes down the chain.
public struct EngineIOMiddleware<Context: RequestContext>: RouterMiddleware {
    private let server: EngineServer

    /// Creates the middleware for `server`.
    public init(server: EngineServer) {
        self.server = server
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard server.matches(path: request.uri.path) else {
            return try await next(request, context)
        }
        let address = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
        return await server.respond(to: request, remoteAddress: address)
    }
}
