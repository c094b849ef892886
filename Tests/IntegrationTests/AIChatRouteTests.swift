import AgentHostClient
import AgentWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// `POST /api/chat/{agent}` and `GET /api/chat/{agent}/{chatId}/stream`: what the
/// AI SDK's `DefaultChatTransport` and `useChat({ resume: true })` call.
@Suite struct AIChatRouteTests {
    struct StreamReply {
        var status: Int
        var headers: HTTPHeaders
        var body: String

        /// The `data:` payloads, in order, with `[DONE]` as it came.
        var payloads: [String] {
            var parser = ServerSentEventParser()
            return ((try? parser.feed(Array(body.utf8))) ?? []).map(\.data)
        }

        var chunks: [JSONValue] {
            payloads.filter { $0 != "[DONE]" }.compactMap { try? WireCoding.decode(JSONValue.self, from: $0) }
        }

        var types: [String] { chunks.compactMap { $0["type"]?.stringValue } }

        var text: String {
            chunks.filter { $0["type"]?.stringValue == "text-delta" }.compactMap { $0["delta"]?.stringValue }.joined()
        }
    }

    /// `url` is the daemon's base URL followed by the path.
    func request(_ method: HTTPMethod, _ url: String, token: String?, body: String? = nil) async throws -> StreamReply {
        guard let path = url.firstRange(of: "/api/").map({ String(url[$0.lowerBound...]) }) else { throw TestFailure("not an API URL: \(url)") }
        let baseURL = String(url.dropLast(path.count))
        let reply = try await AgentHostClient(baseURL: baseURL, token: token).request(method, path, body: body, timeout: .seconds(60))
        return StreamReply(status: reply.status, headers: reply.headers, body: reply.body)
    }

    static func chatBody(id: String, texts: [(role: String, text: String)], trigger: String = "submit-message") throws -> String {
        let messages = texts.enumerated().map { index, message in
            UIMessage.text(message.text, role: message.role, id: "m\(index)")
        }
        struct Body: Encodable {
            var id: String
            var messages: [UIMessage]
            var trigger: String
        }
        return try WireCoding.encodeString(Body(id: id, messages: messages, trigger: trigger))
    }

    @Test func postAnswersWithThatTurnsUIMessageStream() async throws {
        try await withDaemon { daemon, _ in
            let reply = try await request(.POST, daemon.baseURL + "/api/chat/my-chat", token: daemon.secretKey,
                                          body: try Self.chatBody(id: "ai-1", texts: [("user", "hello world")]))
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == ["text/event-stream"])
            #expect(reply.headers["cache-control"] == ["no-cache"])
            #expect(reply.headers["x-vercel-ai-ui-message-stream"] == ["v1"])
            #expect(reply.headers["x-accel-buffering"] == ["no"])
            // Framing exactly as the AI SDK's server writes it: `data: <json>\n\n` events, no `id:`
            // lines, `[DONE]` last and nothing after it.
            #expect(reply.body.hasSuffix("data: {\"finishReason\":\"stop\",\"type\":\"finish\"}\n\ndata: [DONE]\n\n"))
            #expect(!reply.body.contains("\nid:") && !reply.body.hasPrefix("id:"))
            #expect(reply.body.components(separatedBy: "\n\n").dropLast().allSatisfy { $0.hasPrefix("data: ") && !$0.contains("\n") })
            #expect(reply.payloads.last == "[DONE]")
            #expect(reply.payloads.filter { $0 == "[DONE]" }.count == 1)
            #expect(reply.types == [
                "start", "start-step", "text-start", "text-delta", "text-delta", "text-delta", "text-delta",
                "text-end", "finish-step", "finish",
            ])
            #expect(reply.text == "You said: hello world")
            // The session was created for the chat id, on the agent of the path.
            let info = try await daemon.client.send(.GET, "/api/v1/sessions/ai-1", token: daemon.secretKey)
            #expect(info.json?["agent"]?.stringValue == "my-chat")
            #expect(info.json?["status"]?.stringValue == "idle")
        }
    }

    @Test func onlyTheNewestMessageIsTakenAndTheHistoryStaysServerSide() async throws {
        try await withDaemon { daemon, _ in
            let url = daemon.baseURL + "/api/chat/my-chat"

            let first = try await request(.POST, url, token: daemon.secretKey, body: try Self.chatBody(id: "ai-2", texts: [("user", "one")]))
            #expect(first.text == "You said: one")
            // The client resends everything it holds, including a made-up assistant turn; only "two" is new.
            let second = try await request(.POST, url, token: daemon.secretKey, body: try Self.chatBody(
                id: "ai-2", texts: [("user", "one"), ("assistant", "something the server never said"), ("user", "two")]
            ))
            #expect(second.text == "You said: two")
            #expect(second.types.first == "start")

            let history = try await daemon.client
                .send(.GET, "/realtime/v1/sessions/ai-2/messages", token: daemon.secretKey)
            let texts = history.json?["messages"]?.arrayValue?.map { message in
                (message["parts"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
            }
            #expect(texts == ["one", "You said: one", "two", "You said: two"])
        }
    }

    @Test func tokensNeedWriteScopeForTheChatAndBadInputGetsJSONErrors() async throws {
        try await withDaemon { daemon, client in
            let token = try await client.createSession("mine", secret: daemon.secretKey).token
            let url = daemon.baseURL + "/api/chat/my-chat"

            let withToken = try await request(.POST, url, token: token, body: try Self.chatBody(id: "mine", texts: [("user", "hi")]))
            #expect(withToken.status == 200)
            #expect(withToken.text == "You said: hi")

            let foreign = try await request(.POST, url, token: token, body: try Self.chatBody(id: "theirs", texts: [("user", "hi")]))
            #expect(foreign.status == 403)
            #expect(try WireCoding.decode(JSONValue.self, from: foreign.body)["error"]?["code"]?.stringValue == "forbidden")
            #expect(try await request(.POST, url, token: nil, body: try Self.chatBody(id: "mine", texts: [("user", "hi")])).status == 401)
            let readOnly = try await client.send(.POST, "/api/v1/tokens", token: daemon.secretKey,
                                                 body: #"{"scopes":{"read":{"sessions":"mine"}}}"#).json?["token"]?.stringValue
            #expect(try await request(.POST, url, token: readOnly, body: try Self.chatBody(id: "mine", texts: [("user", "hi")])).status == 403)
            // Writing alone does not read the answer the response would stream back; nothing is stored either.
            let writeOnly = try await client.send(.POST, "/api/v1/tokens", token: daemon.secretKey,
                                                  body: #"{"scopes":{"write":{"sessions":"mine"}}}"#).json?["token"]?.stringValue
            let refused = try await request(.POST, url, token: writeOnly, body: try Self.chatBody(id: "mine", texts: [("user", "unseen")]))
            #expect(refused.status == 403)
            let stored = try await client.send(.GET, "/realtime/v1/sessions/mine/messages", token: token).json?["messages"]?.arrayValue ?? []
            #expect(!stored.contains { $0["parts"]?.arrayValue?.first?["text"]?.stringValue == "unseen" })

            let cases: [(body: String, agent: String, status: Int, code: String)] = [
                ("{not json", "my-chat", 400, "invalid_json"),
                (#"{"id":"x","messages":[]}"#, "my-chat", 400, "bad_request"),
                (#"{"messages":[]}"#, "my-chat", 400, "invalid_json"),
                (try Self.chatBody(id: "x", texts: [("assistant", "hi")]), "my-chat", 400, "bad_request"),
                (try Self.chatBody(id: "x", texts: [("user", "hi")], trigger: "dance"), "my-chat", 400, "bad_request"),
                (try Self.chatBody(id: "x", texts: [("user", "hi")]), "no-such-agent", 404, "unknown_agent"),
                (try Self.chatBody(id: "mine", texts: [("user", "hi")]), "other-agent", 404, "unknown_agent"),
            ]
            for item in cases {
                let reply = try await request(.POST, daemon.baseURL + "/api/chat/\(item.agent)", token: daemon.secretKey, body: item.body)
                #expect(reply.status == item.status, "\(item.body)")
                #expect(reply.headers["content-type"] == ["application/json"])
                let code = (try? WireCoding.decode(JSONValue.self, from: reply.body))?["error"]?["code"]?.stringValue
                #expect(code == item.code, "\(item.body) → \(reply.body)")
            }
            // Nothing above reached the session: it still holds exactly one turn.
            let history = try await client.send(.GET, "/realtime/v1/sessions/mine/messages", token: token)
            #expect(history.json?["messages"]?.arrayValue?.count == 2)
        }
    }

    @Test func resumeReplaysTheRunningTurnFromItsStartOrAnswers204() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "20"]) { daemon, client in
            let token = try await client.createSession("resume", secret: daemon.secretKey).token
            let streamURL = daemon.baseURL + "/api/chat/my-chat/resume/stream"

            // Nothing running: 204, no body. A chat nobody started: 204 too.
            let idle = try await request(.GET, streamURL, token: token)
            #expect(idle.status == 204)
            #expect(idle.body.isEmpty)
            #expect(try await request(.GET, daemon.baseURL + "/api/chat/my-chat/never-started/stream", token: daemon.secretKey).status == 204)
            #expect(try await request(.GET, streamURL, token: nil).status == 401)

            // A turn is running (the input is accepted, so it runs or is queued next): the resume
            // is the whole turn from its `start`, ending `[DONE]`.
            // ~16 s: still running when the resume request lands, even from a test process starved by the suites beside it.
            try await client.sendMessage("/slow 800", chatId: "resume", token: token)
            let resumed = try await request(.GET, streamURL, token: token)
            #expect(resumed.status == 200)
            #expect(resumed.headers["x-vercel-ai-ui-message-stream"] == ["v1"])
            #expect(resumed.types.first == "start")
            #expect(resumed.types.last == "finish")
            #expect(resumed.payloads.last == "[DONE]")
            #expect(resumed.text == (1...800).map(String.init).joined(separator: " "))
            #expect(!resumed.types.contains { $0.hasPrefix("data-turn-") })
            #expect(try await request(.GET, streamURL, token: token).status == 204)
        }
    }

    @Test func aClientThatDisconnectsDoesNotStopTheTurn() async throws {
        try await withDaemon(environment: ["AGENT_HOST_SCRIPTED_DELAY_MS": "20"]) { daemon, client in
            // Read the POST's stream only until the answer has begun, then drop the connection.
            var post = HTTPClientRequest(url: daemon.baseURL + "/api/chat/my-chat")
            post.method = .POST
            post.headers.add(name: "Authorization", value: "Bearer \(daemon.secretKey)")
            post.body = .bytes(ByteBuffer(string: try Self.chatBody(id: "drop", texts: [("user", "/slow 40")])))
            let response = try await HTTPClient.shared.execute(post, timeout: .seconds(60))
            var seen = ""
            for try await buffer in response.body {
                seen += String(buffer: buffer)
                if seen.contains("text-delta") { break }
            }

            // Resuming still yields the whole answer, once.
            let resumed = try await request(.GET, daemon.baseURL + "/api/chat/my-chat/drop/stream", token: daemon.secretKey)
            let full = (1...40).map(String.init).joined(separator: " ")
            if resumed.status == 200 {
                #expect(resumed.text == full)
            } else {
                #expect(resumed.status == 204)  // it had already finished
            }
            let events = try await client.readEvents(chatId: "drop", token: daemon.secretKey) { $0.completedTurns() == 1 }
            #expect(events.text == full)
            #expect(events.contains { $0.type == "finish" })
        }
    }
}
