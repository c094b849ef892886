import HTTPTypes
import Hummingbird

/// Lets web apps on other origins use the browser-facing routes: the realtime
/// routes, the AI SDK routes and the SDK module itself.
///
/// Those routes authenticate with a bearer token in a header, never a cookie,
/// so allowing every origin (`*`, no credentials) grants nothing a page could
/// not already do with the token it holds. The operator routes (`/api/v1`) and
/// the playground's loopback routes (`/playground/v1`) get no CORS headers:
/// a foreign page cannot read their answers.
struct BrowserCORS<Context: RequestContext>: RouterMiddleware {
    static var prefixes: [String] { ["/realtime/v1/", "/api/chat/", "/sdk/"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.headers.value(named: "origin") != nil, Self.prefixes.contains(where: { path.hasPrefix($0) }) else {
            return try await next(request, context)
        }
        if request.method == .options {
            var headers = HTTPFields()
            Self.add(to: &headers)
            headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = "Authorization, Content-Type, Last-Event-ID, Idempotency-Key"
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        Self.add(to: &response.headers)
        return response
    }

    private static func add(to headers: inout HTTPFields) {
        headers[.accessControlAllowOrigin] = "*"
    }
}
