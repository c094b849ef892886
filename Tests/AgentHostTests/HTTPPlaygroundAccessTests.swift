import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import AgentHost

/// `/playground/v1` without a key: only for a browser on this machine, named
/// as this machine (`Host`, `Origin`), and only while the loopback path is on.
/// `PlaygroundAccessTests` covers a remote peer that spoofs local headers.
@Suite struct HTTPPlaygroundAccessTests {
    /// The `.router` test client has no socket, so no peer address: unknown
    /// is not loopback, and there is no token without the key.
    @Test func anUnknownPeerGetsNothingWithoutTheKey() async throws {
        let fixture = try await HTTPRouterFixture()
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
        let fixture = try await HTTPRouterFixture()
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
        let fixture = try await HTTPRouterFixture()
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

    /// Behind a reverse proxy every peer is local: with the loopback path off,
    /// the playground needs the key (401 without one), even from 127.0.0.1.
    @Test func theLoopbackPathCanBeTurnedOff() async throws {
        let fixture = try await HTTPRouterFixture(environment: ["AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK": "0"])
        defer { fixture.remove() }
        let secret = fixture.secretKey.value
        try await fixture.application.test(.live) { client in
            let refused = try await client.send(.get, "/playground/v1/sessions")
            #expect(refused.status == .unauthorized)
            #expect(refused.errorCode == "unauthorized")
            #expect(try await client.send(.get, "/playground/v1/sessions", token: secret).status == .ok)
        }
    }
}
