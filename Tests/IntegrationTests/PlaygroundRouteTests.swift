import AgentWire
import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// The playground as the daemon serves it: embedded files, the banner with its
/// pass link, and the routes that hand out sessions and tokens to the pass.
/// (A non-loopback peer is tested in AgentHostTests/PlaygroundAccessTests: a test
/// cannot open a connection from another machine.)
@Suite struct PlaygroundRouteTests {
    @Test func theDaemonServesThePageAndTheSDKAndPrintsWhereToOpenIt() async throws {
        try await withDaemon { daemon, client in
            let port = try #require(daemon.baseURL.split(separator: ":").last)
            #expect(daemon.log.contains("playground: http://127.0.0.1:\(port)/#pass=pp_"))
            #expect(daemon.playgroundURL.hasPrefix("http://127.0.0.1:\(port)/#pass=pp_"))
            #expect(daemon.playgroundPass.count == 67)

            let page = try await client.send(.GET, "/", token: nil)
            #expect(page.status == 200)
            #expect(page.body.contains("<title>agent-host playground</title>"))
            #expect(page.body.contains("/playground/app.js"))
            for path in ["/playground/app.js", "/playground/chat-view.js", "/playground/app.css", "/playground/markdown.js", "/playground/icon.svg"] {
                #expect(try await client.send(.GET, path, token: nil).status == 200, "\(path)")
            }
            let sdk = try await client.send(.GET, "/sdk/agent-chat.js", token: nil)
            #expect(sdk.status == 200)
            #expect(sdk.body.contains("export class AgentChatTransport"))
            #expect(sdk.body.contains("reconnectToStream"))
        }
    }

    @Test func theBannersPassGetsSessionsAndTokensAndNothingElse() async throws {
        try await withDaemon { daemon, client in
            let pass = daemon.playgroundPass
            // `serve` trusts no local process by default: no pass, no playground.
            let refused = try await client.send(.GET, "/playground/v1/sessions", token: nil)
            #expect(refused.status == 401)
            #expect(refused.json?["error"]?["message"]?.stringValue?.contains("playground pass") == true)

            let agents = try await client.send(.GET, "/playground/v1/agents", token: pass)
            #expect(agents.status == 200)
            #expect(agents.json?["agents"]?.arrayValue?.first?["id"]?.stringValue == "my-chat")

            let created = try await client.send(.POST, "/playground/v1/sessions", token: pass, body: #"{"agent":"my-chat"}"#)
            #expect(created.status == 201)
            let chatId = try #require(created.json?["chatId"]?.stringValue)
            let token = try #require(created.json?["publicAccessToken"]?.stringValue)
            #expect(chatId.hasPrefix("pg-"))

            // The token is an ordinary public token, scoped to that chat only.
            try await client.sendMessage("hello world", chatId: chatId, token: token)
            let events = try await client.readEvents(chatId: chatId, token: token) { $0.completedTurns() == 1 }
            #expect(events.text == "You said: hello world")
            #expect(try await client.send(.GET, "/api/v1/agents", token: token).status == 403)
            #expect(try await client.send(.GET, "/api/v1/agents", token: pass).status == 401)

            let refreshed = try await client.send(.POST, "/playground/v1/tokens", token: pass, body: #"{"chatId":"\#(chatId)"}"#)
            #expect(refreshed.status == 201)
            let fresh = try #require(refreshed.json?["publicAccessToken"]?.stringValue)
            #expect(try await client.send(.GET, "/realtime/v1/sessions/\(chatId)/messages", token: fresh).status == 200)
            #expect(try await client.send(.POST, "/playground/v1/tokens", token: pass, body: #"{"chatId":"nobody"}"#).status == 404)

            let list = try await client.send(.GET, "/playground/v1/sessions", token: pass)
            let row = list.json?["data"]?.arrayValue?.first { $0["chatId"]?.stringValue == chatId }
            #expect(row?["status"]?.stringValue == "idle")
            #expect(row?["agent"]?.stringValue == "my-chat")

            // The turn route tells a reconnecting client what runs.
            let turn = try await client.send(.GET, "/realtime/v1/sessions/\(chatId)/turn", token: token)
            #expect(turn.json?["status"]?.stringValue == "idle")
            #expect(turn.json?["inSeq"] == nil)
        }
    }

    /// Loopback trust on (what `agent-host dev` sets): a browser on this machine needs no pass,
    /// but only when named as this machine.
    @Test func withLoopbackTrustNoTokenForForeignHostsOriginsOrPublicTokensAndTheLoopbackPathCanBeTurnedOff() async throws {
        try await withDaemon(environment: ["AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK": "1"]) { daemon, client in
            let body = #"{"agent":"my-chat"}"#

            // DNS rebinding: a page on evil.example that resolves to 127.0.0.1 is a loopback peer.
            let rebound = try await client.send(.POST, "/playground/v1/sessions", token: nil, body: body, headers: ["Host": "evil.example:8787"])
            #expect(rebound.status == 403)
            #expect(rebound.json?["error"]?["code"]?.stringValue == "forbidden")
            #expect(rebound.json?["publicAccessToken"] == nil)
            let crossOrigin = try await client.send(.POST, "/playground/v1/sessions", token: nil, body: body,
                                                    headers: ["Origin": "http://evil.example"])
            #expect(crossOrigin.status == 403)
            #expect(crossOrigin.body.contains("publicAccessToken") == false)
            // Same-machine origins are fine.
            #expect(try await client.send(.POST, "/playground/v1/sessions", token: nil, body: body,
                                          headers: ["Origin": "http://localhost:3000"]).status == 201)

            // A public token is not the secret key.
            let token = try await client.createSession("c", secret: daemon.secretKey).token
            #expect(try await client.send(.GET, "/playground/v1/sessions", token: token).status == 403)

            // Browsers on other origins may call the realtime routes (bearer tokens, no cookies),
            // but get no CORS grant on the playground's key-less routes.
            let preflight = try await client.send(.OPTIONS, "/realtime/v1/sessions/c/in", token: nil, headers: [
                "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
            ])
            #expect(preflight.status == 204)
            let grant = try await client.headers(.GET, "/realtime/v1/sessions/c/turn", token: token,
                                                                            headers: ["Origin": "http://localhost:3000"])
            #expect(grant["access-control-allow-origin"] == ["*"])
            let none = try await client.headers(.GET, "/playground/v1/agents", token: nil,
                                                                           headers: ["Origin": "http://localhost:3000"])
            #expect(none["access-control-allow-origin"].isEmpty)

            // Behind a reverse proxy every peer is local: the operator turns the loopback path off.
            let strict = try DaemonProcess(environment: ["AGENT_HOST_PLAYGROUND_TRUST_LOOPBACK": "0"])
            try strict.start()
            defer { strict.stop() }
            let strictClient = strict.client
            let refused = try await strictClient.send(.POST, "/playground/v1/sessions", token: nil, body: body)
            #expect(refused.status == 401)
            #expect(refused.json?["publicAccessToken"] == nil)
            #expect(try await strictClient.send(.POST, "/playground/v1/sessions", token: strict.secretKey, body: body).status == 201)
        }
    }
}
