import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import AgentHost

/// The auth matrix of every route group, on the real router in-process: who
/// gets 401 `unauthorized` (no usable credential), who gets 403 `forbidden`
/// (a credential, but not for this), and who gets through to the handler.
@Suite struct HTTPAuthTests {
    /// A route and a request to it that, once admitted, the handler answers
    /// without starting a turn (so "got through" is any status but 401/403).
    struct Route: CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var description: String { "\(method) \(path)" }
    }

    /// Routes that touch session `chat-a`; `…/out` streams until the client
    /// leaves, so it is only asked with credentials that fail.
    static let readRoutes = [
        Route(method: .get, path: "/realtime/v1/sessions/chat-a/messages"),
        Route(method: .get, path: "/realtime/v1/sessions/chat-a/turn"),
        Route(method: .get, path: "/api/chat/my-chat/chat-a/stream"),
    ]
    static let streamRoute = Route(method: .get, path: "/realtime/v1/sessions/chat-a/out")
    static let writeRoutes = [
        // Bodies the handler refuses with 400 after auth: no turn starts.
        Route(method: .post, path: "/realtime/v1/sessions/chat-a/in", body: #"{"kind":"dance"}"#),
        Route(method: .post, path: "/api/chat/my-chat", body: #"{"id":"chat-a","messages":[]}"#),
    ]
    static let operatorRoutes = [
        Route(method: .get, path: "/api/v1/agents"),
        Route(method: .get, path: "/api/v1/sessions"),
        Route(method: .get, path: "/api/v1/sessions/chat-a"),
        Route(method: .post, path: "/api/v1/sessions", body: #"{"chatId":"x","agent":"my-chat"}"#),
        Route(method: .post, path: "/api/v1/sessions/chat-a/close"),
        Route(method: .post, path: "/api/v1/tokens", body: #"{"scopes":{"read":{"sessions":"chat-b"}}}"#),
        Route(method: .post, path: "/api/v1/agents/my-chat/rollback"),
    ]
    static let playgroundRoutes = [
        Route(method: .get, path: "/playground/v1/agents"),
        Route(method: .get, path: "/playground/v1/sessions"),
        Route(method: .post, path: "/playground/v1/tokens", body: #"{"chatId":"chat-a"}"#),
    ]
    static var everyAuthenticatedRoute: [Route] { readRoutes + [streamRoute] + writeRoutes + operatorRoutes + playgroundRoutes }

    @Test func noCredentialIsUnauthorizedOnEveryGroup() async throws {
        let fixture = try await HTTPRouterFixture(environment: ["AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK": "0"])
        defer { fixture.remove() }
        try await fixture.application.test(.router) { client in
            for route in Self.everyAuthenticatedRoute {
                let response = try await client.send(route.method, route.path, body: route.body)
                #expect(response.status == .unauthorized, "\(route)")
                #expect(response.errorCode == "unauthorized", "\(route)")
            }
        }
    }

    @Test func malformedHeadersWrongKeysAndExpiredTokensAreUnauthorized() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        let expired = try await fixture.token(read: ["chat-a"], write: ["chat-a"], ttl: .seconds(60), now: Date().addingTimeInterval(-120))
        let otherDaemon = await TokenMinter(secretKey: SecretKey(value: "sk_" + String(repeating: "0", count: 64), source: "test"))
        let foreign = try await otherDaemon.mint(scopes: TokenScopes(read: ["chat-a"], write: ["chat-a"]), ttl: .seconds(60))
        let routes = Self.readRoutes + [Self.streamRoute] + Self.writeRoutes + Self.operatorRoutes
        let secret = fixture.secretKey.value
        try await fixture.application.test(.router) { client in
            for route in routes {
                for header in ["Basic \(secret)", "Bearer", secret] {
                    let response = try await client.send(route.method, route.path, body: route.body, headers: [.authorization: header])
                    #expect(response.status == .unauthorized, "\(route) with `\(header)`")
                    #expect(response.errorMessage == "the Authorization header must be `Bearer <token>`", "\(route)")
                }
                for (name, token) in [("wrong key", "sk_wrong"), ("garbage", "garbage"), ("expired", expired), ("other daemon's", foreign)] {
                    let response = try await client.send(route.method, route.path, token: token, body: route.body)
                    #expect(response.status == .unauthorized, "\(route) with a \(name) token")
                    #expect(response.errorMessage == "the token is invalid or expired", "\(route) with a \(name) token")
                }
            }
        }
    }

    @Test func sessionTokensOpenTheirOwnSessionAndScopeOnly() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.addSession("chat-a")
        try await fixture.addSession("chat-b")
        let both = try await fixture.token(read: ["chat-a"], write: ["chat-a"])
        let readOnly = try await fixture.token(read: ["chat-a"])
        let writeOnly = try await fixture.token(write: ["chat-a"])
        let otherChat = try await fixture.token(read: ["chat-b"], write: ["chat-b"])
        try await fixture.application.test(.router) { client in
            for route in Self.readRoutes {
                for token in [both, readOnly] {
                    let response = try await client.send(route.method, route.path, token: token, body: route.body)
                    #expect(![.unauthorized, .forbidden].contains(response.status), "\(route): \(response.text)")
                }
                for token in [writeOnly, otherChat] {
                    let response = try await client.send(route.method, route.path, token: token, body: route.body)
                    #expect(response.status == .forbidden, "\(route)")
                    #expect(response.errorCode == "forbidden")
                    #expect(response.errorMessage == "the token has no read scope for session `chat-a`", "\(route)")
                }
            }
            for token in [writeOnly, otherChat] {
                let response = try await client.send(.get, Self.streamRoute.path, token: token)
                #expect(response.status == .forbidden)
            }
            for route in Self.writeRoutes {
                // `POST /api/chat` streams the answer back: it needs the read scope too.
                let readsBack = route.path.hasPrefix("/api/chat/")
                for token in [both, writeOnly] {
                    let response = try await client.send(route.method, route.path, token: token, body: route.body)
                    let refused = readsBack && token == writeOnly
                    #expect(response.status == (refused ? .forbidden : .badRequest), "\(route): \(response.text)")
                    if refused { #expect(response.errorMessage == "the token has no read scope for session `chat-a`") }
                }
                for token in [readOnly, otherChat] {
                    let response = try await client.send(route.method, route.path, token: token, body: route.body)
                    #expect(response.status == .forbidden, "\(route)")
                    #expect(response.errorMessage == "the token has no write scope for session `chat-a`", "\(route)")
                }
            }
            // Answers the handlers give once auth lets them run.
            let history = try await client.send(.get, "/realtime/v1/sessions/chat-a/messages", token: readOnly)
            #expect(history.status == .ok)
            #expect(history.json?["lastSeq"] as? Int == 0)
            #expect(try await client.send(.get, "/api/chat/my-chat/chat-a/stream", token: readOnly).status == .noContent)
        }
    }

    /// `/api/chat/{agent}` reads the chat id from the body, yet refuses a bad
    /// credential before it reads the body.
    @Test func theAIChatRouteRefusesBadCredentialsBeforeReadingTheBody() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        let huge = #"{"id":"chat-a","messages":[""# + String(repeating: "x", count: 1 << 20) + #""]}"#
        // An hour: the megabyte bodies below take a minute on a loaded CI machine, past the default 60 s.
        let token = try await fixture.token(write: ["chat-a"], ttl: .seconds(3600))
        try await fixture.application.test(.router) { client in
            for body in ["{not json", huge, ""] {
                let none = try await client.send(.post, "/api/chat/my-chat", body: body)
                #expect(none.status == .unauthorized)
                let bad = try await client.send(.post, "/api/chat/my-chat", token: "garbage", body: body)
                #expect(bad.status == .unauthorized)
            }
            // A good credential, then the body decides: malformed JSON is the body's fault.
            let malformed = try await client.send(.post, "/api/chat/my-chat", token: token, body: "{not json")
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "invalid_json")
            let elsewhere = try await client.send(.post, "/api/chat/my-chat", token: token, body: #"{"id":"chat-b","messages":[]}"#)
            #expect(elsewhere.status == .forbidden)
            #expect(elsewhere.errorMessage == "the token has no write scope for session `chat-b`")
        }
    }

    @Test func theSecretKeyOpensEveryGroup() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.addSession("chat-a")
        let secret = fixture.secretKey.value
        try await fixture.application.test(.router) { client in
            for route in Self.readRoutes + Self.writeRoutes + Self.operatorRoutes + Self.playgroundRoutes {
                let response = try await client.send(route.method, route.path, token: secret, body: route.body)
                #expect(![.unauthorized, .forbidden].contains(response.status), "\(route): \(response.text)")
            }
            #expect(try await client.send(.get, "/api/v1/agents", token: secret).status == .ok)
            let minted = try await client.send(.post, "/api/v1/tokens", token: secret, body: #"{"scopes":{"read":{"sessions":"chat-a"}}}"#)
            #expect(minted.status == .created)
            // The minted token reads chat A and nothing more.
            let token = try #require(minted.json?["token"] as? String)
            #expect(try await client.send(.get, "/realtime/v1/sessions/chat-a/turn", token: token).status == .ok)
            #expect(try await client.send(.post, "/realtime/v1/sessions/chat-a/in", token: token, body: "{}").status == .forbidden)
        }
    }

    @Test func publicTokensAreForbiddenOnOperatorAndPlaygroundRoutes() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.addSession("chat-a")
        let token = try await fixture.token(read: ["chat-a"], write: ["chat-a"])
        try await fixture.application.test(.router) { client in
            for route in Self.operatorRoutes + Self.playgroundRoutes {
                let response = try await client.send(route.method, route.path, token: token, body: route.body)
                #expect(response.status == .forbidden, "\(route)")
                #expect(response.errorCode == "forbidden", "\(route)")
                #expect(response.errorMessage == "this route needs the secret key; public tokens cannot use it", "\(route)")
            }
        }
    }
}
