import Hummingbird

/// The playground's loopback rule as the `/playground/v1` group's middleware.
extension PlaygroundAccess: RouterMiddleware {
    typealias Context = HostRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.principal = try await require(request, peer: context.remoteAddress)
        return try await next(request, context)
    }
}
