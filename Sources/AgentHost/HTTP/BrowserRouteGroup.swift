import HTTPTypes
import Hummingbird

/// A route group that web pages on other origins may call: the browser
/// CORS middleware, and an `OPTIONS` endpoint for every path added to it.
///
/// Hummingbird runs a group's middleware only for a route that matched both
/// path and method, and a browser's preflight is an `OPTIONS` request; so each
/// path needs an `OPTIONS` endpoint for `CORSMiddleware` to answer it. This
/// group adds one for every path registered through it (sub-groups included),
/// so a new browser route cannot forget its preflight. The preflight endpoint
/// sits outside any auth middleware added to a sub-group: browsers send
/// preflights without credentials.
///
/// `ErrorMiddleware` runs inside the CORS middleware, so error responses carry
/// the CORS grant too and a page can read why its request failed.
final class BrowserRouteGroup<Context: RequestContext>: RouterMethods {
    private let base: RouterGroup<Context>
    /// Paths that already have their `OPTIONS` endpoint (Hummingbird refuses a second).
    private var preflighted: Set<String> = []
    private let routes: RouteCatalog

    /// - Parameters:
    ///   - group: the group to serve to browsers, e.g. `router.group("realtime/v1")`.
    ///   - routes: the router's routes, for the `Allow` of an `OPTIONS` that is not a preflight.
    init(_ group: RouterGroup<Context>, routes: RouteCatalog) {
        self.routes = routes
        base = group
            .add(middleware: CORSMiddleware<Context>.browser)
            .add(middleware: ErrorMiddleware<Context>())
    }

    @discardableResult
    func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == Context {
        base.on(path, method: method, responder: responder)
        if method != .options, preflighted.insert(path.description).inserted {
            // Reached only without an `Origin` header (CORSMiddleware answers the
            // real preflights): a plain `OPTIONS`, answered as HTTP says, with `Allow`.
            base.on(path, method: .options) { [routes] request, _ -> Response in
                let allowed = routes.methods(servingPath: request.uri.path).map(\.rawValue).joined(separator: ", ")
                return Response(status: .noContent, headers: [.allow: allowed])
            }
        }
        return self
    }

    /// Middleware for every route of the group, preflights included; put auth
    /// on a sub-group (`group().add(middleware:)`) so that preflights stay open.
    @discardableResult
    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        base.add(middleware: middleware)
        return self
    }
}
