import HTTPTypes
import Hummingbird
import Synchronization

/// The router's routes by path pattern, for answers about a path rather than a
/// route: `405 Method Not Allowed` with `Allow` for a method a served path does
/// not answer (`ErrorMiddleware`), and `OPTIONS` without CORS (`BrowserRouteGroup`).
///
/// Filled once the router has every route (`HTTPRouter.build`); requests only read it.
final class RouteCatalog: Sendable {
    /// One route: its path split into segments (`nil` for a parameter, which
    /// Hummingbird describes as `{name}`, or a wildcard), and its method.
    private struct Entry: Sendable {
        var segments: [Substring?]
        var method: HTTPRequest.Method
    }

    private let entries = Mutex<[Entry]>([])

    /// Takes the router's routes (`Router.routes`).
    /// - Parameters:
    ///   - routes: every route of the finished router.
    func load<Context>(_ routes: [Router<Context>.RouteDescription]) {
        let loaded = routes.map { route in
            Entry(
                segments: route.path.description.split(separator: "/").map { Self.isPattern($0) ? nil : $0 },
                method: route.method
            )
        }
        entries.withLock { $0 = loaded }
    }

    private static func isPattern(_ segment: Substring) -> Bool {
        segment.hasPrefix(":") || segment.hasPrefix("{") || segment == "*"
    }

    /// The methods routes answer at `path`, in a stable order; empty for a path no route serves.
    /// - Parameters:
    ///   - path: a request's path, without the query.
    func methods(servingPath path: String) -> [HTTPRequest.Method] {
        let asked = path.split(separator: "/")
        let methods = entries.withLock { entries in
            entries.filter { entry in
                entry.segments.count == asked.count
                    && zip(entry.segments, asked).allSatisfy { pattern, segment in pattern.map { $0 == segment } ?? true }
            }.map(\.method)
        }
        return Array(Set(methods)).sorted { $0.rawValue < $1.rawValue }
    }
}
