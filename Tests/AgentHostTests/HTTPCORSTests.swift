import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import AgentHost

/// Web pages on other origins may call the browser-facing groups
/// (`/realtime/v1`, `/api/chat`, `/sdk`) and nothing else.
@Suite struct HTTPCORSTests {
    static let origin: HTTPFields = [.origin: "http://localhost:3000"]
    static var preflight: HTTPFields {
        var fields = origin
        fields[.accessControlRequestMethod] = "POST"
        fields[.accessControlRequestHeaders] = "authorization, content-type"
        return fields
    }

    @Test func browserRoutesAnswerPreflightsWithoutCredentials() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.application.test(.router) { client in
            for path in [
                "/realtime/v1/sessions/c/in", "/realtime/v1/sessions/c/out", "/realtime/v1/sessions/c/messages",
                "/realtime/v1/sessions/c/turn", "/api/chat/my-chat", "/api/chat/my-chat/c/stream", "/sdk/agent-chat.js",
            ] {
                let response = try await client.send(.options, path, headers: Self.preflight)
                #expect(response.status == .noContent, "\(path)")
                #expect(response.headers[.accessControlAllowOrigin] == "*", "\(path)")
                #expect(response.headers[.accessControlAllowMethods] == "GET, POST, OPTIONS", "\(path)")
                // CORSMiddleware writes header names in their canonical (lower-case) form.
                #expect(response.headers[.accessControlAllowHeaders] == "authorization, content-type, last-event-id, idempotency-key", "\(path)")
                #expect(response.headers[.accessControlMaxAge] == "600", "\(path)")
                #expect(response.headers[.accessControlAllowCredentials] == nil, "\(path)")
                #expect(response.body.readableBytes == 0, "\(path)")
            }
            // Without an Origin an OPTIONS request is not a preflight: it says what the path
            // answers (`Allow`), and grants no origin.
            let plain = try await client.send(.options, "/realtime/v1/sessions/c/in")
            #expect(plain.status == .noContent)
            #expect(plain.headers[.allow] == "OPTIONS, POST")
            #expect(plain.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func browserRoutesGrantEveryOriginOnAnswersAndErrors() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.addSession("c")
        let token = try await fixture.token(read: ["c"], write: ["c"])
        try await fixture.application.test(.router) { client in
            let answered = try await client.send(.get, "/realtime/v1/sessions/c/turn", token: token, headers: Self.origin)
            #expect(answered.status == .ok)
            #expect(answered.headers[.accessControlAllowOrigin] == "*")
            #expect(answered.headers[.vary] == nil)
            // The page can read why it failed.
            let refused = try await client.send(.get, "/realtime/v1/sessions/c/messages", headers: Self.origin)
            #expect(refused.status == .unauthorized)
            #expect(refused.errorCode == "unauthorized")
            #expect(refused.headers[.accessControlAllowOrigin] == "*")
            let badBody = try await client.send(.post, "/api/chat/my-chat", token: token, body: "{not json", headers: Self.origin)
            #expect(badBody.status == .badRequest)
            #expect(badBody.headers[.accessControlAllowOrigin] == "*")
            let sdk = try await client.send(.get, "/sdk/agent-chat.js", headers: Self.origin)
            #expect(sdk.status == .ok)
            #expect(sdk.headers[.accessControlAllowOrigin] == "*")
            // No Origin, no CORS headers.
            let sameOrigin = try await client.send(.get, "/realtime/v1/sessions/c/turn", token: token)
            #expect(sameOrigin.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func operatorAndPlaygroundRoutesGrantNoOrigin() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        let secret = fixture.secretKey.value
        try await fixture.application.test(.router) { client in
            for path in ["/api/v1/agents", "/api/v1/sessions", "/playground/v1/agents", "/playground/v1/sessions", "/", "/healthz"] {
                let response = try await client.send(.get, path, token: secret, headers: Self.origin)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.accessControlAllowOrigin] == nil, "\(path)")
                let preflight = try await client.send(.options, path, headers: Self.preflight)
                // No OPTIONS route there: a path that exists, so 405 (with `Allow`), and no grant.
                #expect(preflight.status == .methodNotAllowed, "\(path)")
                #expect(preflight.headers[.accessControlAllowOrigin] == nil, "\(path)")
                #expect(preflight.headers[.accessControlAllowMethods] == nil, "\(path)")
            }
        }
    }
}
