import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AgentHost

/// The OpenAPI document (`GET /openapi.json`) against the router that serves
/// the daemon: every route is documented, and every documented route exists.
@Suite struct OpenAPIDocumentTests {
    /// `"GET /realtime/v1/sessions/{chatId}/out"` for every operation of the document.
    private static func documentedOperations() throws -> Set<String> {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIRoute.document)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return Set(paths.flatMap { path, operations in
            operations.keys.map { "\($0.uppercased()) \(path)" }
        })
    }

    /// The same for the router (Hummingbird describes a parameter as OpenAPI does,
    /// `{chatId}`; a `:chatId` spelling is converted in case that changes).
    private static func routedOperations(_ router: Router<HostRequestContext>) -> Set<String> {
        Set(router.routes.map { route in
            let path = "/" + route.path.description
                .split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            return "\(route.method.rawValue) \(path)"
        })
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteIsServed() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        let routed = Self.routedOperations(fixture.router)
        let documented = try Self.documentedOperations()
        #expect(routed.count > 20, "\(routed)")
        #expect(routed.subtracting(documented).sorted() == [], "routes the document leaves out")
        #expect(documented.subtracting(routed).sorted() == [], "documented operations no route serves")
    }

    @Test func theDocumentIsServedWithoutACredential() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.application.test(.router) { client in
            let response = try await client.send(.get, "/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let paths = (response.json?["paths"] as? [String: Any])?.keys.sorted() ?? []
            #expect(paths.contains("/realtime/v1/sessions/{chatId}/in"))
        }
    }

    /// A served path asked with another method is 405 with `Allow`, not 404; a plain
    /// `OPTIONS` (no CORS preflight) on a browser route says what the path answers.
    @Test func anotherMethodOnAServedPathIs405WithAllow() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.application.test(.router) { client in
            let trace = try await client.send(.trace, "/healthz")
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.errorCode == "method_not_allowed")
            #expect(trace.headers[.allow] == "GET")
            let delete = try await client.send(.delete, "/api/v1/sessions/some-chat")
            #expect(delete.status == .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET")
            let options = try await client.send(.options, "/realtime/v1/sessions/some-chat/in")
            #expect(options.status == .noContent)
            #expect(options.headers[.allow] == "OPTIONS, POST")
            #expect(try await client.send(.get, "/no/such/path").status == .notFound)
            #expect(try await client.send(.trace, "/no/such/path").status == .notFound)
        }
    }
}
