import AgentWire
import Foundation
import TestSupport
import Testing

/// Every route checks its scope; bad input gets the JSON error shape.
@Suite struct AuthAndErrorTests {
    @Test func scopesAreEnforcedOnEveryRoute() async throws {
        try await withDaemon { daemon, client in
            let tokenA = try await client.createSession("chat-a", secret: daemon.secretKey).token
            _ = try await client.createSession("chat-b", secret: daemon.secretKey)
            let message = #"{"kind":"message","message":{"id":"m1","role":"user","parts":[{"type":"text","text":"hi"}]}}"#

            for path in ["/realtime/v1/sessions/chat-a/messages", "/api/v1/agents", "/api/v1/sessions/chat-a"] {
                let none = try await client.send(.GET, path, token: nil)
                #expect(none.status == 401, "\(path) without a token")
                #expect(none.json?["error"]?["code"]?.stringValue == "unauthorized")
                #expect(try await client.send(.GET, path, token: "garbage").status == 401, "\(path) with garbage")
            }
            // A token for chat A on chat B.
            #expect(try await client.send(.GET, "/realtime/v1/sessions/chat-b/messages", token: tokenA).status == 403)
            #expect(try await client.send(.POST, "/realtime/v1/sessions/chat-b/in", token: tokenA, body: message).status == 403)
            let foreign = try await client.send(.GET, "/realtime/v1/sessions/chat-b/out", token: tokenA)
            #expect(foreign.status == 403)
            #expect(foreign.json?["error"]?["code"]?.stringValue == "forbidden")
            // A public token on secret-key routes.
            #expect(try await client.send(.GET, "/api/v1/agents", token: tokenA).status == 403)
            #expect(try await client.send(.POST, "/api/v1/sessions", token: tokenA, body: #"{"chatId":"x","agent":"my-chat"}"#).status == 403)
            #expect(try await client.send(.POST, "/api/v1/tokens", token: tokenA,
                                          body: #"{"scopes":{"read":{"sessions":"chat-b"}}}"#).status == 403)
            // A token signed with another daemon's key.
            let otherKey = "sk_" + String(repeating: "0", count: 64)
            let foreignDaemon = try DaemonProcess(environment: ["AGENT_HOST_SECRET_KEY": otherKey])
            try foreignDaemon.start()
            defer { foreignDaemon.stop() }
            let foreignToken = try await foreignDaemon.client.createSession("chat-a", secret: otherKey).token
            #expect(try await client.send(.GET, "/realtime/v1/sessions/chat-a/messages", token: foreignToken).status == 401)

            // A minted read-only token reads but cannot write; an expired one does neither.
            let minted = try await client.send(.POST, "/api/v1/tokens", token: daemon.secretKey,
                                               body: #"{"scopes":{"read":{"sessions":"chat-a"}},"expirationTime":"1h"}"#)
            #expect(minted.status == 201)
            let readOnly = try #require(minted.json?["token"]?.stringValue)
            #expect(try await client.send(.GET, "/realtime/v1/sessions/chat-a/messages", token: readOnly).status == 200)
            #expect(try await client.send(.POST, "/realtime/v1/sessions/chat-a/in", token: readOnly, body: message).status == 403)
            let shortLived = try await client.send(.POST, "/api/v1/tokens", token: daemon.secretKey,
                                                   body: #"{"scopes":{"read":{"sessions":"chat-a"}},"expirationTime":"1s"}"#)
            let expiring = try #require(shortLived.json?["token"]?.stringValue)
            try await Task.sleep(for: .seconds(2.2))
            #expect(try await client.send(.GET, "/realtime/v1/sessions/chat-a/messages", token: expiring).status == 401)
        }
    }

    @Test func badInputGetsAClearErrorAndLosesNothing() async throws {
        try await withDaemon { daemon, client in
            let secret = daemon.secretKey
            let token = try await client.createSession("chat", secret: secret).token

            let malformed = try await client.send(.POST, "/api/v1/sessions", token: secret, body: "{not json")
            #expect(malformed.status == 400)
            #expect(malformed.json?["error"]?["code"]?.stringValue == "invalid_json")
            #expect(malformed.json?["error"]?["message"]?.stringValue?.isEmpty == false)

            let unknownAgent = try await client.send(.POST, "/api/v1/sessions", token: secret, body: #"{"chatId":"z","agent":"nope"}"#)
            #expect(unknownAgent.status == 404)
            #expect(unknownAgent.json?["error"]?["code"]?.stringValue == "unknown_agent")

            let missingField = try await client.send(.POST, "/realtime/v1/sessions/chat/in", token: token, body: #"{"kind":"message"}"#)
            #expect(missingField.status == 400)
            let wrongKind = try await client.send(.POST, "/realtime/v1/sessions/chat/in", token: token, body: #"{"kind":"dance"}"#)
            #expect(wrongKind.status == 400)
            #expect(wrongKind.json?["error"]?["code"]?.stringValue == "invalid_json")

            let huge = #"{"kind":"message","message":{"id":"big","role":"user","parts":[{"type":"text","text":""# + String(repeating: "x", count: 1 << 20) + #""}]}}"#
            let tooLarge = try await client.send(.POST, "/realtime/v1/sessions/chat/in", token: token, body: huge)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json?["error"]?["code"]?.stringValue == "payload_too_large")

            let unknownSession = try await client.send(.GET, "/api/v1/sessions/missing", token: secret)
            #expect(unknownSession.status == 404)

            // Nothing above reached the log; the session still answers.
            try await client.sendMessage("still here", chatId: "chat", token: token)
            let events = try await client.readEvents(chatId: "chat", token: token) { $0.completedTurns() == 1 }
            #expect(events.text == "You said: still here")
            #expect(events.first?.id == 2)
        }
    }
}
