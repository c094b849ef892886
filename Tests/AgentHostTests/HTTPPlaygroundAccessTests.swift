import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import AgentHost

/// `/playground/v1`: with the playground pass or the secret key from anywhere;
/// without either only where loopback is trusted (`agent-host dev`), and then only
/// for a browser on this machine, named as this machine (`Host`, `Origin`).
/// `PlaygroundAccessTests` covers a remote peer that spoofs local headers.
@Suite struct HTTPPlaygroundAccessTests {
    /// The environment `agent-host dev` runs with.
    static let trusted = ["AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK": "1"]

    /// The `.router` test client has no socket, so no peer address: unknown
    /// is not loopback, and there is no token without the key.
    @Test func anUnknownPeerGetsNothingWithoutTheKey() async throws {
        let fixture = try await HTTPRouterFixture(environment: Self.trusted)
        defer { fixture.remove() }
        let secret = fixture.secretKey.value
        try await fixture.application.test(.router) { client in
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/playground/v1/agents", nil), (.get, "/playground/v1/sessions", nil),
                (.post, "/playground/v1/sessions", #"{"agent":"my-chat"}"#), (.post, "/playground/v1/tokens", #"{"chatId":"c"}"#),
            ] as [(HTTPRequest.Method, String, String?)] {
                let response = try await client.send(method, path, body: body)
                #expect(response.status == .forbidden, "\(path)")
                #expect(response.errorCode == "forbidden", "\(path)")
                #expect(!response.text.contains("publicAccessToken"))
            }
            #expect(try await client.send(.get, "/playground/v1/sessions", token: secret).status == .ok)
        }
    }

    /// A real socket on 127.0.0.1: the loopback path works, and the token it
    /// hands out opens that session's realtime routes.
    @Test func aLoopbackBrowserGetsATokenForAnExistingSession() async throws {
        let fixture = try await HTTPRouterFixture(environment: Self.trusted)
        defer { fixture.remove() }
        try await fixture.addSession("c")
        try await fixture.application.test(.live) { client in
            let list = try await client.send(.get, "/playground/v1/sessions")
            #expect(list.status == .ok, "\(list.text)")
            #expect(((list.json?["data"] as? [[String: Any]])?.first)?["chatId"] as? String == "c")
            let local = try await client.send(.get, "/playground/v1/agents", headers: [.origin: "http://localhost:3000"])
            #expect(local.status == .ok)

            let issued = try await client.send(.post, "/playground/v1/tokens", body: #"{"chatId":"c"}"#)
            #expect(issued.status == .created)
            let token = try #require(issued.json?["publicAccessToken"] as? String)
            #expect(try await client.send(.get, "/realtime/v1/sessions/c/messages", token: token).status == .ok)
            #expect(try await client.send(.get, "/realtime/v1/sessions/other/messages", token: token).status == .forbidden)
            #expect(try await client.send(.post, "/playground/v1/tokens", body: #"{"chatId":"nobody"}"#).status == .notFound)

            // DNS rebinding: a foreign page's origin, even from a loopback peer.
            let foreign = try await client.send(.post, "/playground/v1/tokens", body: #"{"chatId":"c"}"#, headers: [.origin: "http://evil.example"])
            #expect(foreign.status == .forbidden)
            #expect(!foreign.text.contains("publicAccessToken"))
            // A public token is not the secret key, even from a loopback peer.
            #expect(try await client.send(.get, "/playground/v1/sessions", token: token).status == .forbidden)
        }
    }

    /// A loopback peer whose `Host` names another machine (DNS rebinding).
    @Test func aLoopbackPeerWithAForeignHostGetsNothing() async throws {
        let fixture = try await HTTPRouterFixture(environment: Self.trusted)
        defer { fixture.remove() }
        let responder = fixture.router.buildResponder()
        for authority in ["evil.example:8787", "127.0.0.1.evil.example"] {
            let response = try await responder.respond(
                to: HTTPRouterFixture.request(.get, "/playground/v1/sessions", headers: [:], body: "", authority: authority),
                context: try fixture.context(peer: "127.0.0.1")
            )
            #expect(response.status == .forbidden, "\(authority)")
        }
        let named = try await responder.respond(
            to: HTTPRouterFixture.request(.get, "/playground/v1/sessions", headers: [:], body: "", authority: "localhost:8787"),
            context: try fixture.context(peer: "::1")
        )
        #expect(named.status == .ok)
    }

    /// `serve`'s default, and a daemon behind a reverse proxy (where every peer is
    /// local): without loopback trust the playground needs the pass or the key (401
    /// without), even from 127.0.0.1 — a local process that cannot see the daemon's
    /// output gets nothing.
    @Test func withoutLoopbackTrustTheLoopbackPathIsClosed() async throws {
        for environment in [[:], ["AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK": "0"]] {
            let fixture = try await HTTPRouterFixture(environment: environment)
            defer { fixture.remove() }
            let secret = fixture.secretKey.value
            let pass = fixture.playgroundPass.value
            try await fixture.application.test(.live) { client in
                let refused = try await client.send(.get, "/playground/v1/sessions")
                #expect(refused.status == .unauthorized)
                #expect(refused.errorCode == "unauthorized")
                #expect(refused.errorMessage?.contains("playground pass") == true)
                #expect(try await client.send(.post, "/playground/v1/tokens", body: #"{"chatId":"c"}"#).status == .unauthorized)
                #expect(try await client.send(.get, "/playground/v1/sessions", token: secret).status == .ok)
                #expect(try await client.send(.get, "/playground/v1/sessions", token: pass).status == .ok)
            }
        }
    }

    /// The pass opens the playground's routes from any peer, and nothing else:
    /// not the operator routes, not a session's routes; another pass is refused.
    @Test func thePlaygroundPassOpensThePlaygroundRoutesOnly() async throws {
        let fixture = try await HTTPRouterFixture()
        defer { fixture.remove() }
        try await fixture.addSession("c")
        let pass = fixture.playgroundPass.value
        let responder = fixture.router.buildResponder()
        let remote = try await responder.respond(
            to: HTTPRouterFixture.request(.get, "/playground/v1/sessions", headers: [.authorization: "Bearer \(pass)"], body: ""),
            context: try fixture.context(peer: "10.0.0.5")
        )
        #expect(remote.status == .ok)
        try await fixture.application.test(.router) { client in
            let issued = try await client.send(.post, "/playground/v1/tokens", token: pass, body: #"{"chatId":"c"}"#)
            #expect(issued.status == .created)
            let token = try #require(issued.json?["publicAccessToken"] as? String)
            #expect(try await client.send(.get, "/realtime/v1/sessions/c/messages", token: token).status == .ok)
            for (method, path) in [(HTTPRequest.Method.get, "/api/v1/agents"), (.get, "/api/v1/sessions"), (.get, "/realtime/v1/sessions/c/messages")] {
                #expect(try await client.send(method, path, token: pass).status == .unauthorized, "\(path)")
            }
            let other = PlaygroundPass().value
            #expect(try await client.send(.get, "/playground/v1/sessions", token: other).status == .unauthorized)
        }
    }
}
